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
export { decideDisclosure, DENIAL_REASONS } from './disclosure-decision';
export type { DisclosureRequest, DenialReason, DisclosureDecision } from './disclosure-decision';
export { REDISCLOSURE_NOTICE, REDISCLOSURE_NOTICE_SHORT } from './redisclosure-notice';
