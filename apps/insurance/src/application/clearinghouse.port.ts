/** Why a 270 got no 271: all of them leave the question open, so the request goes to a phone task. */
export type ClearinghouseFailure = 'timeout' | 'unreachable' | 'server-error' | 'circuit-open' | 'refused';

export class ClearinghouseError extends Error {
  override readonly name = 'ClearinghouseError';
  constructor(
    readonly failure: ClearinghouseFailure,
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

/** Sends one 270 to a payer through the clearinghouse and returns the payer's 271, as text. */
export interface Clearinghouse {
  exchange(inquiry270: string, electronicPayerId: string): Promise<string>;
}

export const CLEARINGHOUSE = 'insurance:clearinghouse';
