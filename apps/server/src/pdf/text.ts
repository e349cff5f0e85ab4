/**
 * Text as it may go into a document: control characters (a note's line breaks, tabs) become
 * spaces so one value stays one cell, and a value is clipped to a length a page can hold, counted
 * in characters, not UTF-16 units, so a character is never cut in half.
 */
export function printable(text: string, maxLength: number): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, ' ');
  const characters = [...flat];
  return characters.length <= maxLength ? flat : `${characters.slice(0, maxLength - 1).join('')}…`;
}
