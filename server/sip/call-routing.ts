// Routing policy: who a dialled number reaches, and whether they may be reached now. A new call's
// caller and callee (an extension, or for a candidate's outbound assignment a customer's number,
// answered by the assessor of their open attempt), checked against the call policy (call-policy.ts),
// and a party a REFER would bring into a call. Refusals are SIP statuses with a reason phrase.
import type { User } from '../db/repositories/users.js';
import type { Call } from './call.js';
import type { CallContext } from './call-context.js';
import type { DialogLeg } from './dialog-leg.js';
import type { Binding } from './registrar.js';

/** A refusal of the INVITE; `toTag` when the response is to carry one. */
export interface RouteRefusal {
  status: number;
  reason?: string;
  toTag: boolean;
}

export type CallRoute = { callerUser: User; calleeUser: User; dialledNumber: string | undefined };

export class CallRouting {
  constructor(private readonly ctx: CallContext) {}

  /** Who the caller on this connection reaches by dialling `targetExt`, or why the call is refused (403, 404, 482). */
  route(authenticatedExtension: string | undefined, targetExt: string): CallRoute | RouteRefusal {
    const { repos } = this.ctx.opts;
    const callerUser = repos.users.findByExtension(authenticatedExtension ?? '');
    let calleeUser = repos.users.findByExtension(targetExt);
    // Outbound assignments: a candidate dials a customer's number from the call list or a record;
    // the assessor of the candidate's open attempt plays that customer and takes the call.
    let dialledNumber: string | undefined;
    if (!calleeUser && callerUser?.role === 'candidate' && /^\+?[0-9]{6,15}$/.test(targetExt)) {
      const attempt = repos.attempts.openForCandidate(callerUser.id).find((a) => a.assessorUserId !== null);
      if (attempt?.assessorUserId) {
        calleeUser = repos.users.findById(attempt.assessorUserId);
        dialledNumber = targetExt;
      }
    }
    if (!callerUser || callerUser.disabled) return { status: 403, toTag: false };
    if (!calleeUser || calleeUser.disabled) return { status: 404, toTag: true };
    if (calleeUser.id === callerUser.id) return { status: 482, reason: 'Loop Detected (you called yourself)', toTag: true };
    const decision = this.ctx.opts.callPolicy?.(callerUser, calleeUser);
    if (decision && !decision.allowed) return { status: decision.status, reason: decision.reason, toTag: true };
    return { callerUser, calleeUser, dialledNumber };
  }

  /** Where the callee is registered, unless it is not (480) or either party is on a call (486). */
  reach(route: CallRoute, queued: boolean): Binding | RouteRefusal {
    const binding = this.ctx.sip.registrar.lookup(route.calleeUser.extension);
    if (!binding) return { status: 480, reason: 'Temporarily Unavailable (not registered)', toTag: true };
    // An agent who may not take calls yet (a candidate who is not Ready) is not busy: the call waits (offer-queue.ts).
    if (!queued && this.ctx.isBusy(route.calleeUser.extension)) return { status: 486, toTag: true };
    if (this.ctx.isBusy(route.callerUser.extension)) return { status: 486, reason: 'Busy Here (you are already on a call)', toTag: true };
    return binding;
  }

  /**
   * Whether `extension` can be brought into this call by `by`; a SIP status and reason if not.
   * `queued`: the target is an agent who may not take the call yet (offer-queue.ts), so it waits
   * for them rather than being refused as busy, as a call dialled to them would.
   */
  routeParty(call: Call, by: DialogLeg, extension: string): { user: User; binding: Binding; queued: boolean } | { status: number; reason: string } {
    const user = this.ctx.opts.repos.users.findByExtension(extension);
    if (!user || user.disabled) return { status: 404, reason: 'Not Found' };
    if (call.legs().some((l) => l.user.id === user.id)) return { status: 482, reason: 'Loop Detected (already in this call)' };
    // The one who asks, and everyone already in the call, must be allowed to reach the target.
    const policy = this.ctx.opts.callPolicy;
    const refused = policy && [by.user, ...call.legs().map((l) => l.user)].map((u) => policy(u, user)).find((d) => !d.allowed);
    if (refused && !refused.allowed) return { status: refused.status, reason: refused.reason };
    const binding = this.ctx.sip.registrar.lookup(user.extension);
    if (!binding) return { status: 480, reason: 'Temporarily Unavailable' };
    const queued = this.ctx.queue?.mustWait(user) ?? false;
    if (!queued && this.ctx.isBusy(user.extension)) return { status: 486, reason: 'Busy Here' };
    return { user, binding, queued };
  }
}

export function isRefusal<T extends object>(r: T | RouteRefusal): r is RouteRefusal {
  return 'status' in r && 'toTag' in r;
}
