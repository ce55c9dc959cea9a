// The attempt's messages, in the attempt scope (under /api/attempts/:id): the inbox and sent items,
// and sending an e-mail or SMS (a template of the scenario's, documents and order confirmations
// attached, a reply to an incoming message). Each message sent is recorded as evidence on the
// attempt's timeline in the transaction that stores it. Filing, the auto-reply and filled templates
// are in inbox-routes.ts.
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { Attachment } from '../db/repositories/crm.js';
import type { Repositories } from '../db/repositories/index.js';
import { validateEmail, validateText, validateUkMobile } from '../crm/validation.js';
import { evidencePayload, type Evidence } from '../realtime/evidence.js';
import { attemptOf, attemptParams, type AttemptScope } from './attempt-scope.js';
import { messageResponse, messagesResponse } from './attempt-responses.js';
import { READERS, WRITER, bodyRowId, checkField, nullableStr, str } from './crm-inputs.js';
import { FieldProblems } from './input.js';
import { accepts } from './exact-schema.js';
import type { OutgoingMessage } from '../protocol/crm.js';

/**
 * What a message must hold depends on its channel, so the CRM rules run once the body is well formed:
 * every bad field named together. The result holds the cleaned values to store.
 */
const messageBody = accepts<OutgoingMessage>()(
  z
  .object({
    channel: z.enum(['email', 'sms']),
    to: str(300),
    cc: z.array(str(300)).max(10).optional(),
    subject: nullableStr(300).optional(),
    body: str(10000),
    templateKey: z.string().max(64).nullable().optional(),
    attachments: z.array(z.object({ kind: z.enum(['document', 'order']), key: str(64).optional(), orderId: bodyRowId.optional() }).strict()).max(10).optional(),
    customerId: bodyRowId.nullable().optional(),
    /** A reply: the incoming message it answers. */
    inReplyTo: bodyRowId.nullable().optional(),
  })
  .strict()
  .transform((b, ctx) => {
    const cc = b.cc ?? [];
    const attachments = b.attachments ?? [];
    let to: string | undefined;
    let subject: string | null | undefined = null;
    let body: string | undefined;
    if (b.channel === 'email') {
      to = checkField(ctx, validateEmail(b.to, 'to'));
      cc.forEach((address, i) => checkField(ctx, validateEmail(address, `cc.${i}`)));
      subject = checkField(ctx, validateText(b.subject ?? '', 'subject', 200));
      body = checkField(ctx, validateText(b.body, 'body', 10000));
    } else {
      to = b.to.trim();
      checkField(ctx, validateUkMobile(to, 'to'));
      if (cc.length > 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['cc'], message: 'An SMS has no copy recipients.' });
      if (b.subject !== undefined && b.subject !== null && b.subject.trim() !== '') ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['subject'], message: 'An SMS has no subject.' });
      if (attachments.length > 0) ctx.addIssue({ code: z.ZodIssueCode.custom, path: ['attachments'], message: 'An SMS cannot carry attachments.' });
      body = checkField(ctx, validateText(b.body, 'body', 612));
    }
    if (to === undefined || subject === undefined || body === undefined) return z.NEVER;
    return { ...b, to, cc: cc.map((c) => c.trim()), subject, body, attachments };
  }),
);

export function registerMessageRoutes(scope: AttemptScope, opts: { repos: Repositories; clock: Clock; evidence: Evidence }): void {
  const { repos, clock, evidence } = opts;
  const crm = repos.crm;

  scope.get(
    '/messages',
    { config: READERS, schema: { params: attemptParams, querystring: z.object({ direction: z.enum(['in', 'out']).optional() }).strict(), response: { 200: messagesResponse } } },
    async (request) => ({ messages: crm.listMessages(attemptOf(request).id, request.query.direction) }),
  );

  scope.post('/messages', { config: WRITER, schema: { params: attemptParams, body: messageBody, response: { 201: messageResponse } } }, async (request, reply) => {
    const attempt = attemptOf(request);
    const b = request.body;
    const { to, cc, subject, body } = b;
    const company = crm.company(attempt.id)!;
    // Checks against the attempt's records, every problem named together.
    const problems = new FieldProblems();
    const inReplyTo = b.inReplyTo ?? null;
    if (inReplyTo !== null && crm.findMessage(attempt.id, inReplyTo)?.direction !== 'in') problems.add('inReplyTo', 'There is no such incoming message in this attempt to reply to.');
    const customerId = b.customerId ?? null;
    if (customerId !== null && !crm.findCustomer(attempt.id, customerId)) problems.add('customerId', `There is no customer ${customerId} in this attempt.`);
    const templateKey = b.templateKey ?? null;
    if (templateKey !== null) {
      const template = crm.listTemplates(attempt.id).find((t) => t.key === templateKey);
      if (!template) problems.add('templateKey', `There is no template "${templateKey}".`);
      else if (template.channel !== b.channel) problems.add('templateKey', `The template "${templateKey}" is for ${template.channel === 'sms' ? 'SMS' : 'e-mail'}, not ${b.channel === 'sms' ? 'SMS' : 'e-mail'}.`);
    }
    const documents = crm.listDocuments(attempt.id);
    const attachments: Attachment[] = [];
    b.attachments.forEach((a, i) => {
      if (a.kind === 'document') {
        const doc = documents.find((d) => d.key === a.key);
        if (!doc) problems.add(`attachments.${i}.key`, `There is no document "${a.key ?? ''}" to attach.`);
        else attachments.push({ kind: 'document', key: doc.key, name: doc.fileName });
        return;
      }
      const order = a.orderId === undefined ? undefined : crm.findOrder(attempt.id, a.orderId);
      if (!order) problems.add(`attachments.${i}.orderId`, `There is no order ${a.orderId ?? ''} in this attempt to attach.`);
      else attachments.push({ kind: 'order', orderId: order.id, name: `order-confirmation-${order.reference}.pdf` });
    });
    problems.throwIfAny();
    const message = evidence.recorded(
      attempt,
      () =>
        crm.insertMessage(attempt.id, {
          customerId,
          direction: 'out',
          channel: b.channel,
          from: b.channel === 'email' ? company.email : company.phone,
          to,
          cc,
          subject,
          body,
          templateKey,
          attachments,
          origin: 'attempt',
          createdAt: clock.now(),
          inReplyTo,
        }),
      (m) => [['message-sent', evidencePayload.message(m, customerId === null ? undefined : crm.findCustomer(attempt.id, customerId))]],
    );
    return reply.status(201).send({ message });
  });
}
