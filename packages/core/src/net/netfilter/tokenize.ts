import { RuleSyntaxError } from "./errors"

/**
 * Splits one iptables-restore line into words the way iptables-restore does (iptables/xshared.c
 * `add_param_to_argv`): words are separated by spaces or tabs; a double quote opens a quoted run in which
 * spaces are literal and a backslash escapes the next character; the quotes themselves are dropped.
 */
export const tokenize = (line: string): string[] => {
  const out: string[] = []
  let cur = ""
  let inWord = false
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i] as string
    if (quoted) {
      if (c === "\\") {
        i++
        if (i >= line.length) break
        cur += line[i]
      } else if (c === '"') {
        quoted = false
      } else {
        cur += c
      }
      continue
    }
    if (c === '"') {
      quoted = true
      inWord = true
    } else if (c === " " || c === "\t" || c === "\r" || c === "\n") {
      if (inWord) out.push(cur)
      cur = ""
      inWord = false
    } else {
      cur += c
      inWord = true
    }
  }
  if (quoted) throw new RuleSyntaxError(line.slice(line.lastIndexOf('"')), "unterminated double quote")
  if (inWord) out.push(cur)
  return out
}

/** iptables' `xtables_save_string` quoting: bare if non-empty and only `[A-Za-z0-9_-]`, else double-quoted. */
export const saveString = (value: string): string =>
  /^[A-Za-z0-9_-]+$/.test(value) ? value : `"${value.replace(/["\\']/g, (c) => `\\${c}`)}"`

/** Quotes a word only if the tokenizer would otherwise split or alter it. */
export const quoteWord = (value: string): string =>
  value !== "" && !/[\s"\\]/.test(value) ? value : `"${value.replace(/["\\]/g, (c) => `\\${c}`)}"`
