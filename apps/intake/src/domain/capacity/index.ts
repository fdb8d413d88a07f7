export { canAdmitOneMore } from './capacity';
export type { SiteCapacity, CapacityErrorCode } from './capacity';
