/** See money.js: the one USD formatter, in a locale's number format. */
export function createUsdFormat(locale: string): (value: number) => string;
