import { type Locale, type MessageKey, type MessageParams, translate } from '../i18n/translate.js';

export interface RenderedMail {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/**
 * Builds a mail's subject, plain-text part and HTML part from catalog messages. The HTML
 * is self-contained: inline styles only, no images, no links, nothing loaded from
 * elsewhere, so opening it reveals nothing to anyone.
 */
export function renderMail(
  locale: Locale,
  parts: { subjectKey: MessageKey; bodyKey: MessageKey; params: MessageParams },
): RenderedMail {
  const subject = translate(locale, parts.subjectKey, parts.params);
  const body = translate(locale, parts.bodyKey, parts.params);
  const footer = translate(locale, 'mail.footer');
  const paragraphs = [...body.split(/\n{2,}/), footer];

  const text = `${paragraphs.join('\n\n')}\n`;
  const html = [
    '<!DOCTYPE html>',
    `<html lang="${locale}"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>`,
    '<body style="font-family: sans-serif; font-size: 15px; line-height: 1.5; color: #1f2328;">',
    ...paragraphs.map((paragraph, index) => {
      const style =
        index === paragraphs.length - 1 ? ' style="color: #59636e; font-size: 13px;"' : '';
      return `<p${style}>${escapeHtml(paragraph).replace(/\n/g, '<br>')}</p>`;
    }),
    '</body></html>',
  ].join('\n');
  return { subject, text, html };
}

function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}
