/**
 * An OAuth error (RFC 6749 §4.1.2.1, §5.2; RFC 7591 §3.2.2; RFC 8707): the code a client acts on and a sentence a
 * person can act on. `redirect` is false for the errors that must never go back to the redirect URI (an unknown
 * client, a redirect URI that is not the client's): those are shown to the person in the browser instead.
 */
export class OAuthError extends Error {
  constructor(
    readonly error: string,
    message: string,
    readonly status = 400,
    readonly redirect = true,
  ) {
    super(message);
  }
}

export const invalidRequest = (msg: string) => new OAuthError('invalid_request', msg);
export const invalidGrant = (msg: string) => new OAuthError('invalid_grant', msg);
export const invalidClient = (msg: string) => new OAuthError('invalid_client', msg, 400, false);
export const invalidTarget = (msg: string) => new OAuthError('invalid_target', msg);
