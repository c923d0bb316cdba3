import type { Env } from '../config/schema.js';

/** Connection settings of the sender, as the diagnostics name them. */
export interface SmtpEndpoint {
  readonly host: string;
  readonly port: number;
  readonly tlsMode: Env['SMTP_TLS'];
  readonly timeoutMs: number;
  readonly servername: string | undefined;
  readonly user: string | undefined;
}

/** Certificate errors of Node's TLS layer, by `code`. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

interface NodemailerFailure {
  code?: unknown;
  originalCode?: unknown;
  responseCode?: unknown;
}

/**
 * Describes a nodemailer failure for `AppError.detail`: what failed, on which server, and
 * which setting to check. It quotes SMTP reply codes but not reply texts, because a
 * server's reply can repeat the recipient address.
 */
export function describeSmtpError(error: unknown, endpoint: SmtpEndpoint): string {
  const failure = (error ?? {}) as NodemailerFailure;
  const where = `${endpoint.host}:${endpoint.port}`;
  const reply = typeof failure.responseCode === 'number' ? ` (reply ${failure.responseCode})` : '';
  const certificateCode = findCertificateCode(failure);

  if (certificateCode !== undefined) {
    return `the TLS certificate of ${where} was not accepted (${certificateCode}): set SMTP_CA_FILE to the CA that issued it, and SMTP_TLS_SERVERNAME if the certificate names another host`;
  }
  switch (failure.code) {
    case 'EAUTH':
      return `${where} rejected the login of SMTP_USER=${JSON.stringify(endpoint.user)}${reply}: check SMTP_USER and SMTP_PASSWORD`;
    case 'ENOAUTH':
      return `${where} requires a login${reply}: set SMTP_USER and SMTP_PASSWORD`;
    case 'ETLS':
      return `the STARTTLS upgrade with ${where} failed${reply}, or the server does not offer STARTTLS: set SMTP_TLS=implicit if the port uses TLS from the first byte, or SMTP_TLS=none to send without encryption`;
    case 'EENVELOPE':
      if (failure.responseCode === 530) {
        return `${where} requires a login (reply 530): set SMTP_USER and SMTP_PASSWORD`;
      }
      return `${where} rejected the sender or the recipient${reply}: check MAIL_FROM and the relay permissions of the SMTP account`;
    case 'EMESSAGE':
      return `${where} rejected the message${reply}`;
    case 'ETIMEDOUT':
      return `${where} did not answer within ${endpoint.timeoutMs} ms: check SMTP_HOST, SMTP_PORT and the firewall`;
    case 'EDNS':
      return `the name ${endpoint.host} cannot be resolved: check SMTP_HOST`;
    default:
      return `sending through ${where} failed (${String(failure.code ?? 'unknown error')})${reply}`;
  }
}

/**
 * Finds a certificate error code. Nodemailer replaces `code` with its own (ESOCKET) and
 * keeps Node's TLS code in `originalCode`.
 */
function findCertificateCode(failure: NodemailerFailure): string | undefined {
  for (const candidate of [failure.originalCode, failure.code]) {
    if (typeof candidate === 'string' && CERTIFICATE_CODES.has(candidate)) return candidate;
  }
  return undefined;
}
