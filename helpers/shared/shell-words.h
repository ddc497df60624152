#pragma once

/* The word syntax of Command=: a small, predictable subset of the shell's.
 * Whitespace separates words; '…' is literal; "…" is literal except that \",
 * \\, \$ and \` stand for the second character (as in sh); outside quotes a
 * backslash makes the next character literal. Adjacent quoted and unquoted
 * parts form one word. Nothing is expanded: no variables, globs, tildes,
 * pipes or redirections. */

/* On success *ret is the words (NULL when s holds none). On -EINVAL
 * *ret_reason, if not NULL, points to a static description of the problem. */
int shell_words_split(const char *s, char ***ret, const char **ret_reason);

/* s written so that shell_words_split() returns it as exactly one word, and so
 * that a POSIX shell would read it the same: bare when every character is
 * plainly safe, else in single quotes. NULL when out of memory. */
char *shell_word_quote(const char *s);
