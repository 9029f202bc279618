/** Errors the domain raises for callers to map onto HTTP statuses / MCP results. Messages are safe to show. */
export class DomainError extends Error {
  constructor(
    public readonly code: 'not_found' | 'invalid' | 'conflict' | 'forbidden',
    message: string,
  ) {
    super(message);
  }
}
export const notFound = (msg: string) => new DomainError('not_found', msg);
export const invalid = (msg: string) => new DomainError('invalid', msg);
export const conflict = (msg: string) => new DomainError('conflict', msg);
