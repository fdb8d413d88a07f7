export {
  CONSENT_PURPOSE_KINDS,
  RECORD_KINDS,
  RECIPIENT_CLASSES,
  SIGNATURE_METHODS,
  REQUIRED_FORM_STATEMENTS,
  REVOCATION_METHODS,
  CONSENT_ELEMENTS,
  validateConsent,
  revokeConsent,
} from './consent';
export type {
  ConsentPurposeKind,
  ConsentPurpose,
  RecordKind,
  InformationScope,
  DiscloserDesignation,
  RecipientClass,
  RecipientDesignation,
  ConsentExpiry,
  SignatureMethod,
  Signer,
  FormStatement,
  ConsentPatient,
  RevocationMethod,
  Revocation,
  Consent,
  ConsentDraft,
  ConsentElement,
  ConsentIssue,
  ConsentInvalid,
  RevocationErrorCode,
  RevocationRequest,
} from './consent';
// The disclosure rule is shared with insurance: one pure function in libs/domain.
export { decideDisclosure, DENIAL_REASONS, REDISCLOSURE_NOTICE, REDISCLOSURE_NOTICE_SHORT } from '@iop/domain';
export type { DisclosureRequest, DenialReason, DisclosureDecision } from '@iop/domain';
