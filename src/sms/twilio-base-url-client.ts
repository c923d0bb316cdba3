import twilio from 'twilio';
import type RequestClient from 'twilio/lib/base/RequestClient.js';
import type ResponseModule from 'twilio/lib/http/response.js';

/** Origin of every request that the Messages API of the twilio package makes. */
export const TWILIO_API_ORIGIN = 'https://api.twilio.com';

/**
 * Twilio HTTP client that sends requests for `https://api.twilio.com` to another base URL,
 * such as an on-premises proxy or a test server. A path in the base URL is kept as a
 * prefix. Requests for any other origin are rejected, so no request leaves for a host
 * that the configuration does not name.
 */
export class BaseUrlRequestClient extends twilio.RequestClient {
  private readonly baseUrl: string;

  constructor(baseUrl: string, options: RequestClient.RequestClientOptions = {}) {
    super(options);
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  override request<TData>(
    options: RequestClient.RequestOptions<TData>,
  ): Promise<ResponseModule.default<TData>> {
    return super.request({ ...options, uri: this.rewrite(options.uri) });
  }

  private rewrite(uri: string): string {
    const url = new URL(uri);
    if (url.origin !== TWILIO_API_ORIGIN) {
      throw new Error(
        `Twilio request for ${url.origin} rejected: only ${TWILIO_API_ORIGIN} is routed to TWILIO_API_BASE_URL`,
      );
    }
    return `${this.baseUrl}${url.pathname}${url.search}`;
  }
}
