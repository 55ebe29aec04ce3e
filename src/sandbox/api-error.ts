/**
 * The error an operation handler throws to answer with an AWS error. It carries the protocol-neutral
 * facts (code, HTTP status, sender/receiver); the protocol writers turn it into each service's real shape.
 */
import { CisBotError } from '../core/errors';

export class ApiError extends CisBotError {
  readonly errorCode: string;
  readonly status: number;
  readonly fault: 'Sender' | 'Receiver';
  constructor(errorCode: string, message: string, status = 400) {
    super('SANDBOX_API_ERROR', message);
    this.errorCode = errorCode;
    this.status = status;
    this.fault = status >= 500 ? 'Receiver' : 'Sender';
  }
}
