// The candidate mark sheet of a sitting as a PDF (pdfkit, A4, standard Helvetica so the text can be
// extracted): the qualification and its subject code (ASECCS2), centre and candidate with their
// numbers, assessor, the identity check, dates, the time allowed (with extra time), the time taken,
// access arrangements and overrun; each assignment with every attempt's time taken and overrun,
// criterion marks (the centre's, the moderator's where one changed it, and the mark that counts),
// comments, override reasons (why a mark differs from the automatic suggestion), the moderator's reasons and its total; the total that counts, the
// grade or why there is none, the result state with the moderation outcome, and every electronic
// signature: who signed what, when, and whether the record signed has changed since (digest 1.3:
// "Candidate Mark Sheet ... assessor-signed"; seed 002/003: signatures of learner, assessor and
// internal quality assurer). Pure: the same record and print time give the same bytes.
import PDFDocument from 'pdfkit';
import { formatUkDateTime, pdfText } from '../printouts/render.js';
import type { AttemptRecordLine, SignatureLine, SittingRecord } from './sitting-record.js';

export interface MarkSheetMeta {
  printedAt: number;
  printedBy: string;
}

const MARGIN = 50;
const FONT = 'Helvetica';
const BOLD = 'Helvetica-Bold';
const MUTED = '#555555';
const INK = '#1a1a1a';

const when = (ms: number | null): string => (ms === null ? '-' : formatUkDateTime(ms));

const plural = (n: number, unit: string): string => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "1 hour 15 minutes", "52 minutes 10 seconds", "0 seconds": a duration in words, to the second. */
export function durationWords(ms: number): string {
  const total = Math.round(ms / 1000);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const sec = total % 60;
  const parts = [h ? plural(h, 'hour') : '', m ? plural(m, 'minute') : '', sec ? plural(sec, 'second') : ''].filter(Boolean);
  return parts.length ? parts.join(' ') : '0 seconds';
}

/** One electronic signature in words. */
const signatureWords = (s: SignatureLine): string =>
  `${s.what}: signed electronically by ${s.name} (${s.role}) on ${when(s.signedAt)}. Record signed: SHA-256 ${s.subjectSha256.slice(0, 16)}…` +
  (s.superseded ? ' Replaced: the sitting was sent back to the assessor after this signature.' : s.stillMatches ? '' : ' The record has changed since it was signed.');

class Writer {
  readonly doc = new PDFDocument({ size: 'A4', margin: MARGIN, bufferPages: true, lang: 'en-GB' });
  constructor(title: string, meta: MarkSheetMeta) {
    this.doc.info.Title = pdfText(title);
    this.doc.info.Author = pdfText(meta.printedBy);
    this.doc.info.Creator = 'Callmark';
    this.doc.info.Producer = 'Callmark (PDFKit)';
    this.doc.info.CreationDate = new Date(meta.printedAt);
    this.doc.font(FONT).fontSize(10).fillColor(INK);
  }
  get width(): number {
    return this.doc.page.width - MARGIN * 2;
  }
  ensure(height: number): void {
    if (this.doc.y + height > this.doc.page.height - MARGIN - 20) this.doc.addPage();
  }
  text(t: string, opts: { bold?: boolean; size?: number; muted?: boolean; gap?: number } = {}): void {
    const d = this.doc;
    d.font(opts.bold ? BOLD : FONT).fontSize(opts.size ?? 10).fillColor(opts.muted ? MUTED : INK);
    this.ensure(d.heightOfString(pdfText(t), { width: this.width }));
    d.text(pdfText(t), MARGIN, d.y, { width: this.width });
    if (opts.gap) d.moveDown(opts.gap);
  }
  field(label: string, value: string): void {
    const d = this.doc;
    this.ensure(14);
    const top = d.y;
    d.font(BOLD).fontSize(10).fillColor(MUTED).text(pdfText(label), MARGIN, top, { width: 120 });
    const labelEnd = d.y;
    d.font(FONT).fillColor(INK).text(pdfText(value), MARGIN + 130, top, { width: this.width - 130 });
    d.y = Math.max(d.y, labelEnd) + 2;
  }
  rule(): void {
    const d = this.doc;
    d.save().moveTo(MARGIN, d.y).lineTo(MARGIN + this.width, d.y).lineWidth(0.6).strokeColor('#999999').stroke().restore();
    d.moveDown(0.4);
  }
  /** Criterion rows: id and description, the centre's mark, the moderated mark, the mark that counts (of max), comment. */
  criteria(a: AttemptRecordLine): void {
    const d = this.doc;
    const cols = [{ w: 190, h: 'Criterion' }, { w: 45, h: 'Centre' }, { w: 58, h: 'Moderated' }, { w: 52, h: 'Counts' }, { w: this.width - 345, h: 'Comment' }];
    const row = (cells: string[], bold: boolean): void => {
      d.font(bold ? BOLD : FONT).fontSize(9);
      const height = Math.max(...cells.map((c, i) => d.heightOfString(pdfText(c), { width: cols[i]!.w - 6 }))) + 4;
      this.ensure(height);
      const top = d.y;
      let x = MARGIN;
      cells.forEach((c, i) => {
        d.fillColor(bold ? MUTED : INK).text(pdfText(c), x, top + 2, { width: cols[i]!.w - 6 });
        x += cols[i]!.w;
      });
      d.y = top + height;
    };
    row(cols.map((c) => c.h), true);
    const mark = (m: number | null) => (m === null ? '-' : String(m));
    for (const c of a.criteria) row([`${c.criterionId}: ${c.description}`, mark(c.centreMark), mark(c.moderatedMark), `${mark(c.mark)} / ${c.maxMarks}`, c.comment || '-'], false);
    d.moveDown(0.3);
  }
  finish(footer: string): Buffer {
    const d = this.doc;
    const { start, count } = d.bufferedPageRange();
    for (let i = start; i < start + count; i++) {
      d.switchToPage(i);
      const bottom = d.page.margins.bottom;
      d.page.margins.bottom = 0;
      d.font(FONT).fontSize(8).fillColor(MUTED);
      d.text(pdfText(`${footer} · Page ${i - start + 1} of ${count}`), MARGIN, d.page.height - MARGIN + 10, { width: this.width, lineBreak: false });
      d.page.margins.bottom = bottom;
    }
    d.end();
    // pdfkit writes the whole file synchronously on end(): every byte is in the stream's buffer.
    const chunks: Buffer[] = [];
    for (let c = d.read() as Buffer | null; c !== null; c = d.read() as Buffer | null) chunks.push(c);
    return Buffer.concat(chunks);
  }
}

export function renderMarkSheet(record: SittingRecord, meta: MarkSheetMeta): Buffer {
  const { sitting, result } = record;
  const w = new Writer(`Candidate mark sheet - ${record.candidate.name}`, meta);
  const { qualification: q, timing } = record;
  w.text('Candidate Mark Sheet', { bold: true, size: 18 });
  w.text(`${q.title} - ${q.unit}`, { muted: true, gap: 0.6 });
  w.rule();
  w.field('Qualification code', q.subjectCode);
  w.field('Centre', record.centreName);
  w.field('Centre number', record.centreNumber ?? 'Not set');
  w.field('Candidate', `${record.candidate.name}${record.candidate.username ? ` (${record.candidate.username})` : ''}`);
  w.field('Candidate number', record.candidate.candidateNumber ?? 'Not set');
  w.field('Assessor', record.assessor?.name ?? 'Not named');
  const id = record.identityCheck;
  w.field('Identity checked', id ? `${id.document}${id.detail ? ` (${id.detail})` : ''}, by ${id.checkedBy} on ${when(id.checkedAt)}` : 'Not recorded');
  w.field('Sitting', sitting.id);
  w.field('Scheduled for', when(sitting.scheduledFor));
  w.field('Started', when(sitting.startedAt));
  w.field('Ended', when(sitting.endedAt));
  w.field('Time allowed', timing.extraTime ? `${durationWords(timing.allowedMs)} (${durationWords(timing.baseMinutes * 60_000)} with ${durationWords(timing.allowedMs - timing.baseMinutes * 60_000)} extra time)` : durationWords(timing.allowedMs));
  w.field('Time taken', sitting.startedAt === null ? 'Not started' : `${durationWords(timing.takenMs)}${timing.restBreakMs > 0 ? ` (not counting ${durationWords(timing.restBreakMs)} of rest breaks)` : ''}${sitting.endedAt === null ? ' so far' : ''}`);
  w.field('Access arrangements', record.accessArrangements.length ? record.accessArrangements.join('; ') : 'None');
  w.field('Overrun', `${timing.overrunMs > 0 ? `${durationWords(timing.overrunMs)} past the time allowed` : 'None'} (at time up the centre ${timing.overrunPolicy === 'stop' ? 'ends the sitting' : 'warns and records the overrun'})`);
  w.field('Result state', record.resultStateWords);
  w.doc.moveDown(0.6);

  for (const a of record.assignments) {
    w.ensure(80);
    w.rule();
    w.text(`Assignment ${a.position}: ${a.scenarioKey.toUpperCase()} - ${a.title}`, { bold: true, size: 12 });
    w.text(`${a.direction} ${a.type} call. Mark that counts: ${a.countedMark === null ? 'not marked yet' : `${a.countedMark} / 12`}`, { muted: true, gap: 0.3 });
    if (a.attempts.length === 0) w.text('Not taken.', { gap: 0.4 });
    for (const at of a.attempts) {
      const status = at.total === null ? 'marking not finished' : `total ${at.total} / 12${at.moderated ? ' after moderation' : ''}${at.counted ? ' (counts)' : ''}`;
      w.text(`Attempt ${at.number} (variant ${at.variant}), started ${when(at.startedAt)}, marked ${when(at.markedAt)}: ${status}`, { bold: true, size: 10 });
      w.text(
        at.takenMs === null ? 'Still open.' : `Time taken: ${durationWords(at.takenMs)}. Overrun: ${at.overrunMs ? `${durationWords(at.overrunMs)} past the time allowed` : 'none'}.`,
        { muted: true },
      );
      if (at.note) w.text(at.note, { muted: true });
      w.criteria(at);
      for (const c of at.criteria) {
        if (c.overrideReason) w.text(`${c.criterionId}: override reason: ${c.overrideReason}`, { muted: true });
        if (c.moderationReason) w.text(`${c.criterionId}: moderated from ${c.centreMark ?? '-'} to ${c.moderatedMark ?? '-'}. Moderator's reason: ${c.moderationReason}`, { muted: true });
      }
      w.text(`Assignment total: ${at.total === null ? '-' : at.total} / 12`, { bold: true, gap: at.moderated ? 0 : 0.4 });
      if (at.moderated) w.text(`Centre mark ${at.centreTotal} / 12, moderated mark ${at.moderatedTotal} / 12: the moderated mark counts.`, { muted: true, gap: 0.4 });
    }
  }

  w.ensure(120);
  w.rule();
  w.text(`Total: ${result.total} / 48`, { bold: true, size: 13 });
  if (result.moderated) w.text(`After moderation. The centre's total before moderation: ${result.centreTotal} / 48.`, { muted: true });
  if (result.status === 'graded') w.text(`Grade: ${result.grade}`, { bold: true, size: 13 });
  else {
    w.text(`No grade${result.final ? ' (fail)' : ' yet'}`, { bold: true, size: 13 });
    for (const r of result.reasons) w.text(`- ${r}`);
  }
  if (record.outcome) w.text(`Moderation outcome: ${record.resultStateWords.replace(/^Moderated: /, '')}${record.outcomeReason ? `. Reason: ${record.outcomeReason}` : ''}`, { bold: true });

  w.doc.moveDown(1);
  w.ensure(80);
  w.rule();
  w.text('Signatures', { bold: true, size: 12, gap: 0.2 });
  for (const s of record.signatures) w.text(signatureWords(s), { gap: 0.2 });
  const signed = new Set(record.signatures.filter((s) => !s.superseded).map((s) => s.kind));
  const unsigned = (['candidate-declaration-end', 'assessor-mark-sheet', 'iqa-countersignature'] as const).filter((k) => !signed.has(k));
  if (record.signatures.length === 0) w.text('Not signed yet.', { muted: true });
  for (const k of unsigned) w.text(`${k === 'candidate-declaration-end' ? 'Candidate (declaration at the end)' : k === 'assessor-mark-sheet' ? 'Assessor' : 'Internal quality assurer'}: not signed yet.`, { muted: true });
  return w.finish(`Printed ${formatUkDateTime(meta.printedAt)} by ${meta.printedBy} · sitting ${sitting.id.slice(0, 8)}`);
}
