/** Sends one text message. Raises `AppError` with an `SMS_*` code on failure. */
export interface SmsSender {
  /** `to` is an E.164 number. Returns the provider's message id. */
  send(to: string, body: string): Promise<string>;
}
