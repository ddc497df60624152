/* shell_words_split() and shell_word_quote(): the word syntax of Command=. */

#include <string.h>

#include "shell-words.h"
#include "str-util.h"
#include "tap.h"

#define WORDS(...) ((const char *const[]){ __VA_ARGS__, NULL })

static const struct {
        const char *input;
        const char *const *words; /* NULL-terminated */
} splits[] = {
        { "/bin/true", WORDS("/bin/true") },
        { "  a \t b  ", WORDS("a", "b") },
        { "'single  quoted' x", WORDS("single  quoted", "x") },
        { "'a \"b\" \\c'", WORDS("a \"b\" \\c") },
        { "\"say \\\"hi\\\" \\\\ \\$HOME \\`x\\`\"", WORDS("say \"hi\" \\ $HOME `x`") },
        { "\"a\\nb\"", WORDS("a\\nb") },
        { "back\\ slash \\'x\\'", WORDS("back slash", "'x'") },
        { "mixed'quo'\"ted\"", WORDS("mixedquoted") },
        { "'' \"\"", WORDS("", "") },
        { "'it'\\''s'", WORDS("it's") },
        { "$HOME ~ * | >", WORDS("$HOME", "~", "*", "|", ">") },
        { "a#b #c", WORDS("a#b", "#c") },
};

static const struct {
        const char *input;
        const char *reason;
} errors[] = {
        { "echo 'oops", "unterminated single quote" },
        { "echo \"oops", "unterminated double quote" },
        { "echo \"oops\\\"", "unterminated double quote" },
        { "echo oops\\", "backslash at the end" },
};

static const char *const quotable[] = {
        "plain", "", "two words", "it's", "'", "\"", "\\", "$HOME", "a\tb", "-x", "#", ";", "100%",
        "caf\xc3\xa9", "'\\''", " lead", "trail ",
};

static bool words_equal(char *const *got, const char *const *want) {
        size_t i = 0;

        for (; got && got[i] && want[i]; i++)
                if (strcmp(got[i], want[i]) != 0)
                        return false;
        return (!got || !got[i]) && !want[i];
}

static void test_splits(void) {
        for (size_t i = 0; i < ELEMENTSOF(splits); i++) {
                _cleanup_(strv_freep) char **words = NULL;
                const char *reason = NULL;

                int r = shell_words_split(splits[i].input, &words, &reason);
                ok(r == 0 && words_equal(words, splits[i].words), "split: %s", splits[i].input);
        }
}

static void test_errors(void) {
        for (size_t i = 0; i < ELEMENTSOF(errors); i++) {
                char **words = NULL;
                const char *reason = NULL;

                int r = shell_words_split(errors[i].input, &words, &reason);
                ok(r == -EINVAL && !words, "refused: %s", errors[i].input);
                is_str(reason, errors[i].reason, "reason for: %s", errors[i].input);
        }
}

static void test_empty(void) {
        char **words = (char *[]){ NULL };
        int r = shell_words_split(" \t ", &words, NULL);
        ok(r == 0 && words == NULL, "whitespace only: no words");
}

static void test_quote_round_trip(void) {
        for (size_t i = 0; i < ELEMENTSOF(quotable); i++) {
                _cleanup_(freep) char *q = shell_word_quote(quotable[i]);
                _cleanup_(strv_freep) char **words = NULL;

                int r = q ? shell_words_split(q, &words, NULL) : -ENOMEM;
                ok(r == 0 && strv_length(words) == 1 && strcmp(words[0], quotable[i]) == 0,
                   "quote and split back: [%s] as [%s]", quotable[i], q ? q : "NULL");
        }

        _cleanup_(freep) char *bare = shell_word_quote("/usr/bin/agent-1.2_x=y,z+@:%");
        is_str(bare, "/usr/bin/agent-1.2_x=y,z+@:%", "safe characters stay bare");
        _cleanup_(freep) char *quoted = shell_word_quote("it's");
        is_str(quoted, "'it'\\''s'", "a quote inside single quotes is written '\\''");
}

int main(void) {
        test_splits();
        test_errors();
        test_empty();
        test_quote_round_trip();
        return done_testing();
}
