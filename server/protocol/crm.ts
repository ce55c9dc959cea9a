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
