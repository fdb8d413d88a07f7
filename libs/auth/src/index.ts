export * from './roles';
export * from './token-verifier';
export * from './access.guard';
export * from './audit-trail';
