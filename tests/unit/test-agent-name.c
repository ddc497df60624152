/* agent_name_is_valid(): the names systemd instances and file names may carry. */

#include <string.h>

#include "agent-name.h"
#include "tap.h"

static const struct {
        const char *name;
        bool valid;
        const char *why;
} cases[] = {
        { "a", true, "one letter" },
        { "7", true, "one digit" },
        { "agent-001", true, "the usual form" },
        { "Build_Bot.v2", true, "upper case, '_' and '.'" },
        { "a..b", true, "\"..\" inside a longer name is a plain name" },
        { "a-", true, "'-' at the end" },
        { "", false, "empty" },
        { ".", false, "\".\"" },
        { "..", false, "\"..\"" },
        { ".hidden", false, "leading '.'" },
        { "-x", false, "leading '-' reads as an option" },
        { "_x", false, "leading '_'" },
        { "a/b", false, "'/'" },
        { "a b", false, "space" },
        { "a\tb", false, "tab" },
        { "a\n", false, "newline" },
        { "\xc3\xa9", false, "non-ASCII (e acute)" },
        { "caf\xc3\xa9", false, "non-ASCII after ASCII" },
        { "a@b", false, "'@' (instance syntax)" },
        { "a:b", false, "':'" },
        { "a\\x2fb", false, "a systemd escape sequence" },
        { "a\\b", false, "backslash" },
        { "a*", false, "glob character" },
        { "a%i", false, "'%' (unit specifier)" },
};

int main(void) {
        char name[AGENT_NAME_MAX + 2];

        plan((int) ELEMENTSOF(cases) + 4);

        for (size_t i = 0; i < ELEMENTSOF(cases); i++)
                ok(agent_name_is_valid(cases[i].name) == cases[i].valid, "%s: %s",
                   cases[i].valid ? "valid" : "invalid", cases[i].why);

        memset(name, 'x', AGENT_NAME_MAX);
        name[AGENT_NAME_MAX] = '\0';
        ok(agent_name_is_valid(name), "valid: %d characters", AGENT_NAME_MAX);

        name[AGENT_NAME_MAX] = 'x';
        name[AGENT_NAME_MAX + 1] = '\0';
        ok(!agent_name_is_valid(name), "invalid: %d characters", AGENT_NAME_MAX + 1);

        name[0] = '-';
        name[AGENT_NAME_MAX] = '\0';
        ok(!agent_name_is_valid(name), "invalid: %d characters with a leading '-'", AGENT_NAME_MAX);

        ok(!agent_name_is_valid(NULL), "invalid: NULL");

        return done_testing();
}
