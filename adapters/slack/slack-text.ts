/**
 * Converts the text of a Slack message event to what the user typed. Slack escapes `&`,
 * `<` and `>`, and wraps addresses and links it recognises, so that `a@b.org` arrives as
 * `<mailto:a@b.org|a@b.org>` and a phone number may arrive as `<tel:+905321234567|0532 123 45 67>`.
 * A wrapped link becomes its visible label (or its target when it has none). User and
 * channel mentions (`<@U123>`, `<#C123>`) are kept as they are.
 */
export function typedTextOf(slackText: string): string {
  const unwrapped = slackText.replace(
    /<([^<>|@#!][^<>|]*)(?:\|([^<>]*))?>/g,
    (_whole, target, label) => (label !== undefined ? label : stripScheme(target)),
  );
  return unwrapped.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

function stripScheme(target: string): string {
  return target.replace(/^(mailto|tel):/i, '');
}
