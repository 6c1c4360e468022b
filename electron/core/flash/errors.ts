/** The step a flash failed at, and a message that says what happened and what to do. */
export type FlashStep = 'firmware' | 'connect' | 'chip' | 'erase' | 'write' | 'verify' | 'reset';

export class FlashError extends Error {
  constructor(
    readonly step: FlashStep,
    message: string,
  ) {
    super(message);
    this.name = 'FlashError';
  }
}
