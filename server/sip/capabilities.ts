// What this SIP server implements, stated once: every Allow and Supported header it sends, and the
// option tags a request may Require, come from here.

/**
 * The methods the server accepts (RFC 3261 §20.5, https://www.rfc-editor.org/rfc/rfc3261#section-20.5:
 * "The Allow header field lists the set of methods supported by the UA generating the message").
 * NOTIFY is sent (the implicit subscription of a REFER) but never accepted, so it is not listed.
 */
export const ALLOWED_METHODS = ['INVITE', 'ACK', 'CANCEL', 'BYE', 'OPTIONS', 'INFO', 'REFER', 'REGISTER', 'UPDATE', 'PRACK'] as const;

/** Methods of SIP extensions the server knows of and does not implement: 405, not 501 (RFC 3261 §21.4.6, https://www.rfc-editor.org/rfc/rfc3261#section-21.4.6). */
export const KNOWN_UNSUPPORTED_METHODS: ReadonlySet<string> = new Set(['SUBSCRIBE', 'NOTIFY', 'PUBLISH', 'MESSAGE']);

/**
 * Option tags of the extensions implemented (RFC 3261 §20.37, https://www.rfc-editor.org/rfc/rfc3261#section-20.37:
 * "The Supported header field enumerates all the extensions supported by the UAC or UAS"):
 * `100rel`, reliable provisional responses to a caller that requires them (RFC 3262); `timer`,
 * session timers (RFC 4028).
 */
export const SUPPORTED_OPTION_TAGS = ['100rel', 'timer'] as const;

export const ALLOW = ALLOWED_METHODS.join(', ');
export const SUPPORTED = SUPPORTED_OPTION_TAGS.join(', ');

/** The Allow and Supported headers, as sent with every response that describes a dialog or the server. */
export const CAPABILITY_HEADERS: ReadonlyArray<[string, string]> = [
  ['Allow', ALLOW],
  ['Supported', SUPPORTED],
];

/**
 * The option tags of a Require header that are not implemented (RFC 3261 §8.2.2.3,
 * https://www.rfc-editor.org/rfc/rfc3261#section-8.2.2.3: "If a UAS does not understand an option-tag
 * listed in a Require header field, it MUST respond by generating a response with status code 420
 * (Bad Extension). The UAS MUST add an Unsupported header field, and list in it those options it
 * does not understand amongst those in the Require header field of the request.").
 */
export function unsupportedRequirements(require: string | undefined): string[] {
  if (!require) return [];
  const known = new Set<string>(SUPPORTED_OPTION_TAGS);
  return require
    .split(',')
    .map((t) => t.trim().toLowerCase())
    .filter((t) => t.length > 0 && !known.has(t));
}

/** The Contact of every dialog the B2BUA holds (it is reached over the connection the dialog uses). */
export const B2BUA_CONTACT = '<sip:b2bua@callmark.invalid;transport=ws>';
