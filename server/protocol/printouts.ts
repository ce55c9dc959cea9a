// Print-out wire types, shared by the server and the client desktop.

export type PrintoutKind = 'customer' | 'order' | 'case';

/** A stored print-out as the API shows it. */
export interface PrintoutSummary {
  id: string;
  kind: PrintoutKind;
  subjectId: number;
  /** What was printed, as the print-out names it ("Order confirmation ORD-000003"). */
  title: string;
  sha256: string;
  bytes: number;
  pages: number;
  createdAt: number;
  /** The PDF itself (GET, same session). */
  url: string;
}

/** A print-out made (POST /api/attempts/:id/printouts). */
export interface PrintoutResponse {
  printout: PrintoutSummary;
}

/** The attempt's print-outs (GET /api/attempts/:id/printouts). */
export interface PrintoutsResponse {
  printouts: PrintoutSummary[];
}
