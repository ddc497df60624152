#pragma once

#include <stdbool.h>

/* An agent's name is the instance of nova-agent@NAME.service and a file name
 * (agents/NAME.conf, the default workspace), so it is kept to characters that
 * need no escaping in either place. */
#define AGENT_NAME_MAX 64

/* 1..AGENT_NAME_MAX characters from [A-Za-z0-9._-], the first a letter or
 * digit: no "." or "..", nothing that reads as an option, no '/', no '@' or
 * ':' (unit name syntax), no "\x2f"-style escapes, no non-ASCII. */
bool agent_name_is_valid(const char *name);

/* What agent_name_is_valid() wants, in words, for error messages. */
#define AGENT_NAME_RULE "use 1-64 letters, digits, '-', '_', '.', starting with a letter or digit"
