#include <stddef.h>

#include "agent-name.h"

/* Spelled out instead of <ctype.h>: isalnum() follows the locale and would
 * accept letters beyond ASCII in some of them. */
static bool char_is_alnum(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool agent_name_is_valid(const char *name) {
        size_t n;

        if (!name || !char_is_alnum(name[0]))
                return false;

        for (n = 0; name[n]; n++) {
                if (n >= AGENT_NAME_MAX)
                        return false;
                if (!char_is_alnum(name[n]) && name[n] != '-' && name[n] != '_' && name[n] != '.')
                        return false;
        }
        return true;
}
