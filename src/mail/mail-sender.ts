export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  /** Self-contained HTML: no remote images, no tracking. */
  readonly html: string;
}

/** Sends one mail. Raises `AppError` MAIL_FAILED with the cause on failure. */
export interface MailSender {
  /** Returns the message id. */
  send(message: MailMessage): Promise<string>;
  /** Checks that the SMTP server responds and the TLS mode fits its port. */
  verify(): Promise<void>;
  close(): Promise<void>;
}
