import { type Catalog, en, type MessageKey } from './messages.en.js';

export type Locale = 'en';
export type MessageParams = Record<string, string | number>;

const catalogs: Record<Locale, Catalog> = { en };

/** Fills a catalog message's `{name}` placeholders; a missing parameter stays visible. */
export function translate(locale: Locale, key: MessageKey, params: MessageParams = {}): string {
  const template = catalogs[locale][key];
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    name in params ? String(params[name]) : whole,
  );
}

export type { MessageKey };
