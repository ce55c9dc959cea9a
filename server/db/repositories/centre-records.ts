// What a centre records against a sitting (migration 11): special consideration, malpractice
// (JCQ forms M1 and M2(a)) and enquiries or appeals. Special consideration and malpractice rows are
// append-only; an enquiry changes once, when it is closed with its outcome.
import type { EnquiryView, MalpracticeView, SpecialConsiderationView } from '../../protocol/assurance.js';
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

const SC_SELECT = `SELECT id, sitting_id AS sittingId, category, incident_date AS incidentDate, details, evidence, adjustment_requested AS adjustmentRequested,
  recorded_by AS recordedBy, recorded_at AS recordedAt FROM special_considerations`;
const MP_SELECT = `SELECT id, sitting_id AS sittingId, form, incident_date AS incidentDate, persons_involved AS personsInvolved, nature, evidence,
  statement_obtained AS statementObtained, reported_to_awarding_body_on AS reportedToAwardingBodyOn, action_taken AS actionTaken,
  recorded_by AS recordedBy, recorded_at AS recordedAt FROM malpractice_reports`;
const EQ_SELECT = `SELECT id, sitting_id AS sittingId, kind, raised_by AS raisedBy, received_on AS receivedOn, grounds, recorded_by AS recordedBy,
  recorded_at AS recordedAt, closed_at AS closedAt, closed_by AS closedBy, outcome FROM sitting_enquiries`;

export class CentreRecordRepository {
  constructor(private readonly db: Db) {}

  addSpecialConsideration(input: Omit<SpecialConsideration, 'id'>): SpecialConsideration {
    const info = this.db
      .prepare(
        `INSERT INTO special_considerations (sitting_id, category, incident_date, details, evidence, adjustment_requested, recorded_by, recorded_at)
         VALUES (@sittingId, @category, @incidentDate, @details, @evidence, @adjustmentRequested, @recordedBy, @recordedAt)`,
      )
      .run(input);
    return { id: Number(info.lastInsertRowid), ...input };
  }

  specialConsiderations(sittingId: string): SpecialConsideration[] {
    return this.db.prepare(`${SC_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as SpecialConsideration[];
  }

  addMalpractice(input: Omit<MalpracticeReport, 'id'>): MalpracticeReport {
    const info = this.db
      .prepare(
        `INSERT INTO malpractice_reports (sitting_id, form, incident_date, persons_involved, nature, evidence, statement_obtained, reported_to_awarding_body_on, action_taken, recorded_by, recorded_at)
         VALUES (@sittingId, @form, @incidentDate, @personsInvolved, @nature, @evidence, @statement, @reportedToAwardingBodyOn, @actionTaken, @recordedBy, @recordedAt)`,
      )
      .run({ ...input, statement: input.statementObtained ? 1 : 0 });
    return { id: Number(info.lastInsertRowid), ...input };
  }

  malpractice(sittingId: string): MalpracticeReport[] {
    return (this.db.prepare(`${MP_SELECT} WHERE sitting_id = ? ORDER BY id`).all(sittingId) as Array<Omit<MalpracticeReport, 'statementObtained'> & { statementObtained: number }>).map((r) => ({
      ...r,
      statementObtained: r.statementObtained === 1,
    }));
  }

  addEnquiry(input: Omit<Enquiry, 'id' | 'closedAt' | 'closedBy' | 'outcome'>): Enquiry {
    const info = this.db
      .prepare(
        `INSERT INTO sitting_enquiries (sitting_id, kind, raised_by, received_on, grounds, recorded_by, recorded_at)
         VALUES (@sittingId, @kind, @raisedBy, @receivedOn, @grounds, @recordedBy, @recordedAt)`,
      )
      .run(input);
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
