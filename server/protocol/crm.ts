// CRM wire types shared by the server (repository, API) and the client desktop.

export type PriceBasis = 'monthly' | 'one_off';

export interface KbArticle {
  id: number;
  slug: string;
  title: string;
  category: string;
  body: string;
  tags: string[];
}

export interface Script {
  id: number;
  key: string;
  title: string;
  purpose: string;
  steps: string[];
}

export interface CallListEntry {
  id: number;
  position: number;
  customerId: number | null;
  accountNumber: string | null;
  name: string;
  phone: string;
  /** The entry's own flag or the customer's. */
  doNotCall: boolean;
  reason: string;
}

export type Channel = 'email' | 'sms';

export interface MessageTemplate {
  key: string;
  channel: Channel;
  name: string;
  subject: string | null;
  body: string;
}

export interface CrmDocument {
  key: string;
  title: string;
  fileName: string;
}

export type Origin = 'seed' | 'attempt';

export interface MessageAttachment {
  kind: 'document' | 'order';
  key?: string;
  orderId?: number;
  name: string;
}

export interface Message {
  id: number;
  customerId: number | null;
  direction: 'in' | 'out';
  channel: Channel;
  from: string;
  to: string;
  cc: string[];
  subject: string | null;
  body: string;
  templateKey: string | null;
  attachments: MessageAttachment[];
  /** 'seed' for a message the scenario pre-loads, 'attempt' for one of the attempt. */
  origin: Origin;
  createdAt: number;
  /** The folder an incoming message was filed in (null: still in the inbox), and when. */
  folder: string | null;
  filedAt: number | null;
  /** An outgoing reply: the incoming message it answers. */
  inReplyTo: number | null;
}

/** A case category of the scenario's vocabulary: stored as the code, shown as the label. */
export interface CaseCategory {
  code: string;
  label: string;
}

/** The inbox's out-of-office auto-reply as last saved. */
export interface AutoReply {
  enabled: boolean;
  body: string | null;
  updatedAt: number | null;
}
