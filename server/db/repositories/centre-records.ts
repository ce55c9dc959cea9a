// What a centre records against a sitting (migration 11): special consideration, malpractice
// (JCQ forms M1 and M2(a)) and enquiries or appeals. Special consideration and malpractice rows are
// append-only; an enquiry changes once, when it is closed with its outcome.
import type { EnquiryView, MalpracticeView, SpecialConsiderationView } from '../../protocol/assurance.js';
import { insertInto, insertWithId, selectFrom, snakeCaseColumns } from '../columns.js';
import type { Db } from '../connection.js';

// Each stored record is the record as the assurance view shows it (server/protocol/assurance.ts), with
// its sitting and its people by id.

/** Incident date: YYYY-MM-DD. */
export interface SpecialConsideration extends Omit<SpecialConsiderationView, 'recordedBy'> {
  sittingId: string;
  recordedBy: number;
}

export interface MalpracticeReport extends Omit<MalpracticeView, 'recordedBy'> {
  sittingId: string;
  recordedBy: number;
}

export interface Enquiry extends Omit<EnquiryView, 'recordedBy' | 'closedBy'> {
  sittingId: string;
  recordedBy: number;
  closedBy: number | null;
}

const SC_COLUMNS = snakeCaseColumns<SpecialConsideration>()(['id', 'sittingId', 'category', 'incidentDate', 'details', 'evidence', 'adjustmentRequested', 'recordedBy', 'recordedAt']);
const MP_COLUMNS = snakeCaseColumns<MalpracticeReport>()(['id', 'sittingId', 'form', 'incidentDate', 'personsInvolved', 'nature', 'evidence', 'statementObtained', 'reportedToAwardingBodyOn', 'actionTaken', 'recordedBy', 'recordedAt']);
const EQ_COLUMNS = snakeCaseColumns<Enquiry>()(['id', 'sittingId', 'kind', 'raisedBy', 'receivedOn', 'grounds', 'recordedBy', 'recordedAt', 'closedAt', 'closedBy', 'outcome']);
const SC_SELECT = selectFrom('special_considerations', SC_COLUMNS);
const MP_SELECT = selectFrom('malpractice_reports', MP_COLUMNS);
const EQ_SELECT = selectFrom('sitting_enquiries', EQ_COLUMNS);

export class CentreRecordRepository {
  constructor(private readonly db: Db) {}

  addSpecialConsideration(input: Omit<SpecialConsideration, 'id'>): SpecialConsideration {
    return insertWithId(this.db, 'special_considerations', SC_COLUMNS, input);
  }

  specialConsiderations(sittingId: string): SpecialConsideration[] {
    return this.db.prepare(`${SC_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as SpecialConsideration[];
  }

  addMalpractice(input: Omit<MalpracticeReport, 'id'>): MalpracticeReport {
    const info = this.db.prepare(insertInto('malpractice_reports', MP_COLUMNS, ['id'])).run({ ...input, statementObtained: input.statementObtained ? 1 : 0 });
    return { id: Number(info.lastInsertRowid), ...input };
  }

  malpractice(sittingId: string): MalpracticeReport[] {
    return (this.db.prepare(`${MP_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as Array<Omit<MalpracticeReport, 'statementObtained'> & { statementObtained: number }>).map((r) => ({
      ...r,
      statementObtained: r.statementObtained === 1,
    }));
  }

  addEnquiry(input: Omit<Enquiry, 'id' | 'closedAt' | 'closedBy' | 'outcome'>): Enquiry {
    const info = this.db.prepare(insertInto('sitting_enquiries', EQ_COLUMNS, ['id', 'closedAt', 'closedBy', 'outcome'])).run(input);
    return this.enquiry(Number(info.lastInsertRowid))!;
  }

  enquiry(id: number): Enquiry | undefined {
    return this.db.prepare(`${EQ_SELECT} WHERE id = ?`).get(id) as Enquiry | undefined;
  }

  enquiries(sittingId: string): Enquiry[] {
    return this.db.prepare(`${EQ_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as Enquiry[];
  }

  /** Closes an open enquiry with its outcome; false if it was closed already. */
  closeEnquiry(id: number, outcome: string, by: number, at: number): boolean {
    return this.db.prepare('UPDATE sitting_enquiries SET closed_at = ?, closed_by = ?, outcome = ? WHERE id = ? AND closed_at IS NULL').run(at, by, outcome, id).changes === 1;
  }
}
