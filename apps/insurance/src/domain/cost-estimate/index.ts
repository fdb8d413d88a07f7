export * from './cost-estimate';
export * from './figures-from-summary';
export { formatBasisPoints, formatCents } from './money';
