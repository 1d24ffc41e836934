/**
 * Device secrets encrypted at rest (ADR 0409). The key is outside the database, so SQL cannot encrypt the
 * existing secrets: the center seals every plaintext secret at start (`sealPlaintextSecrets`) and empties
 * the plaintext column, which stays only for rows from before this migration until then.
 */
export const sql = /* sql */ `
alter table devices
  alter column secret drop not null,
  add column secret_sealed bytea,
  add column secret_key_id text,
  add constraint devices_secret_stored check (
    secret is not null or (secret_sealed is not null and secret_key_id is not null));
`;
