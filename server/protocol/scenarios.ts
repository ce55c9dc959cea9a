// Wire types of the scenario list and editor (server/api/scenario-routes.ts, scenario-edit-routes.ts).

/** One problem of a scenario file: the file, the dotted JSON path ('' for the whole file), the reason. */
export interface ScenarioIssueView {
  file: string;
  path: string;
  reason: string;
}

export interface ScenarioListing {
  /** The attempt key: "s1" for a shipped scenario, "s1-c3-acme" for a centre's variant. */
  key: string;
  title: string;
  direction: string;
  type: string;
  /** The assignment s1…s6 ('demo' for the practice data set). */
  scenarioKey?: string;
  variant?: string;
  version?: number;
  /** Shipped with Callmark (read-only) or a centre's own variant. */
  builtIn?: boolean;
  centreId?: number | null;
}

export interface ScenarioList {
  scenarios: ScenarioListing[];
  /** Centre files (of the centres this user may see) that were left out, with why. */
  problems: Array<ScenarioIssueView & { key: string | null; centreId: number | null }>;
}

/** A scenario file as the editor shows it (staff only: it holds the caller brief and answer key). */
export interface ScenarioDocument {
  key: string;
  scenarioKey: string;
  variant: string;
  /** From the file; null when the file does not parse. */
  version: number | null;
  title: string | null;
  file: string;
  builtIn: boolean;
  centreId: number | null;
  /** May this user change or delete it (a centre variant of theirs, not yet used by an attempt)? */
  editable: boolean;
  usage: { attempts: number; sittings: number };
  /** The file's text, exactly as stored. */
  text: string;
  /** Problems of the stored file (a file edited by hand); empty when it is valid. */
  issues: ScenarioIssueView[];
}

/** The 400 of a refused scenario: nothing was written. */
export interface ScenarioRefusal {
  error: 'invalid_scenario';
  message: string;
  issues: ScenarioIssueView[];
}
