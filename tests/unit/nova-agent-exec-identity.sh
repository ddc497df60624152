#!/bin/sh
# nova-agent-exec as root, the way the unit runs it, against scratch records
# and workspace directories ($NOVA_AGENTS_USERDB, $NOVA_AGENTS_WORKSPACES):
# --prepare claims a pool UID and hands over the workspace, the launcher
# becomes that UID with no capability left, --release locks the workspace and
# gives the UID back, a full pool is exit 5. Needs root: skipped otherwise.
set -u

[ "$(id -u)" = 0 ] || { echo "1..0 # SKIP needs root (claims UIDs, chowns)"; exit 0; }
bin=${top_builddir:?run through make check}/helpers/nova-agent-exec
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nova-identity.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
trap 'rm -rf "$tmp"' EXIT
chmod 755 "$tmp" # the agent's UID walks through it to its workspace

export NOVA_AGENTS_CONFDIR=$tmp/etc NOVA_AGENTS_RUNDIR=$tmp/run NOVA_AGENTS_USERDB=$tmp/userdb
export NOVA_AGENTS_WORKSPACES=$tmp/ws NOVA_AGENTS_PRIVATE_WORKSPACES=$tmp/private
# Not a unit: a launcher started by systemd as root (INVOCATION_ID set, e.g.
# inherited from a CI runner's service) insists on its unit's /tmp binds.
unset INVOCATION_ID
mkdir -p "$NOVA_AGENTS_CONFDIR/agents" "$NOVA_AGENTS_RUNDIR" "$NOVA_AGENTS_WORKSPACES" "$NOVA_AGENTS_PRIVATE_WORKSPACES"
chmod 711 "$NOVA_AGENTS_WORKSPACES"
printf '%s\n' "Workspace=$NOVA_AGENTS_WORKSPACES/%i" \
	"Command=/bin/sh -c 'id -u; id -g; id -G; grep -E \"^Cap(Eff|Prm|Bnd|Amb):\" /proc/self/status; echo \$USER \$HOME; touch mine'" \
	> "$NOVA_AGENTS_CONFDIR/default.conf"

n=0 failed=0
is() { # is GOT WANT DESCRIPTION
	n=$((n + 1))
	if [ "$1" = "$2" ]; then
		echo "ok $n - $3"
	else
		echo "not ok $n - $3"
		printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
		failed=$((failed + 1))
	fi
}
launch() { # launch ARG…: sets $rc, $out, $err
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
# Where systemd puts RuntimeDirectory=nova-agents/agents/NAME: its existence is
# what says "this agent runs" to a claim looking for stale ones.
runtime() { mkdir -p "$NOVA_AGENTS_RUNDIR/agents/$1" && chmod 700 "$NOVA_AGENTS_RUNDIR/agents/$1" && echo "$NOVA_AGENTS_RUNDIR/agents/$1"; }

echo "1..26"

RUNTIME_DIRECTORY=$(runtime a1) launch --prepare a1
is "$rc" 0 "--prepare as root: exit 0"
uid=$(stat -c %u "$NOVA_AGENTS_WORKSPACES/a1" 2>/dev/null)
case $uid in 7[0-9][0-9][0-9][0-9] | 8[0-4][0-9][0-9][0-9]) r=pool ;; *) r="not in the pool: $uid" ;; esac
is "$r" pool "the workspace was created for a UID of the pool (70000-84999)"
is "$(stat -c '%g %a' "$NOVA_AGENTS_WORKSPACES/a1")" "$uid 700" "the workspace is 0700, the agent's GID"
# Root's: systemd takes the directory back before ExecStart= unless it is
# root's (then it chowns everything below too); the root launcher reads the file.
is "$(stat -c '%u %g' "$NOVA_AGENTS_RUNDIR/agents/a1" "$NOVA_AGENTS_RUNDIR/agents/a1/a1.conf" | sort -u)" "0 0" "the runtime directory and the merged file stay root's"
is "$(readlink "$NOVA_AGENTS_USERDB/$uid.user")" nova-a1.user "the claim: UID.user -> nova-a1.user"
is "$(readlink "$NOVA_AGENTS_USERDB/$uid.group")" nova-a1.group "the group record by number"
is "$(stat -c %a "$NOVA_AGENTS_USERDB/nova-a1.user")" 644 "the record is world-readable (NSS in the agents)"

# The agent's /tmp and /var/tmp (agent-tmp.h): root's 0700 above, 1777 as /tmp.
t=$NOVA_AGENTS_WORKSPACES/.tmp
is "$(stat -c '%a %u' "$t" "$t/a1" "$t/a1/tmp" "$t/a1/var-tmp" 2>&1 | tr '\n' ' ')" "700 0 700 0 1777 0 1777 0 " \
	"--prepare made .tmp/a1/tmp and var-tmp (root's 0700 above, 1777 each)"
echo keep > "$tmp/outside"
echo old > "$t/a1/tmp/left"; mkdir -p "$t/a1/var-tmp/d/e"; ln -s "$tmp/outside" "$t/a1/tmp/link"
ln -s "$tmp/outside" "$t/a1/var-tmp/d/e/link"
RUNTIME_DIRECTORY=$NOVA_AGENTS_RUNDIR/agents/a1 launch --prepare a1
is "$rc $(ls -A "$t/a1/tmp" "$t/a1/var-tmp" | tr -d '\n')" "0 $t/a1/tmp:$t/a1/var-tmp:" \
	"a second --prepare empties both"
is "$(cat "$tmp/outside")" keep "the links left there were removed, not followed"
rm -rf "$t/a1/tmp"; ln -s "$tmp" "$t/a1/tmp"
RUNTIME_DIRECTORY=$NOVA_AGENTS_RUNDIR/agents/a1 launch --prepare a1
is "$rc $(stat -c %F "$t/a1/tmp") $(cat "$tmp/outside")" "0 directory keep" \
	"tmp replaced by a link: the link goes, a directory is made, nothing behind it is touched"

RUNTIME_DIRECTORY=$NOVA_AGENTS_RUNDIR/agents/a1 launch a1
is "$rc" 0 "the launcher as root runs the command"
is "$out" "$(printf '%s\n%s\n%s\nCapPrm:\t0000000000000000\nCapEff:\t0000000000000000\nCapBnd:\t0000000000000000\nCapAmb:\t0000000000000000\nnova-a1 %s' \
	"$uid" "$uid" "$uid" "$NOVA_AGENTS_WORKSPACES/a1")" "as the claimed UID and GID, no other group, no capability in any set, USER and HOME set"
is "$(stat -c %u "$NOVA_AGENTS_WORKSPACES/a1/mine")" "$uid" "what it writes is its own"

RUNTIME_DIRECTORY=$(runtime a2) launch --prepare a2
uid2=$(stat -c %u "$NOVA_AGENTS_WORKSPACES/a2")
[ "$uid2" != "$uid" ]
is "$?" 0 "a second agent gets another UID ($uid, $uid2)"

mkdir -p "$NOVA_AGENTS_WORKSPACES/b1"
launch b1
is "$rc" 5 "as root without a claimed UID: exit 5"
is "$err" "nova-agent-exec: no identity claimed for agent b1 in $NOVA_AGENTS_USERDB (none): refusing to run it as root" \
	"as root without a claimed UID: the one-line reason"

launch --release a1
is "$rc" 0 "--release: exit 0"
is "$(stat -c '%u %g %a' "$NOVA_AGENTS_WORKSPACES/a1")" "0 0 700" "--release: the workspace is locked (root's, 0700)"
is "$(ls "$NOVA_AGENTS_USERDB" | grep -c "nova-a1\|^$uid\.")" 0 "--release: the records and the claim are gone"
is "$(python3 -c "import os, sys; print(os.getxattr(sys.argv[1], 'trusted.nova.uid').decode())" "$NOVA_AGENTS_WORKSPACES/a1" 2>&1)" \
	"$uid" "--release: the UID it had is kept in trusted.nova.uid"

RUNTIME_DIRECTORY=$(runtime a1) launch --prepare a1
is "$(stat -c %u "$NOVA_AGENTS_WORKSPACES/a1" "$NOVA_AGENTS_WORKSPACES/a1/mine" | sort -u)" "$uid" \
	"prepared again, a1 gets the same UID and its files need no chown"

# The pool full: every free UID claimed by an agent that runs (its runtime
# directory exists).
mkdir -p "$NOVA_AGENTS_RUNDIR/agents/holder"
python3 -c 'import os, sys
d = sys.argv[1]
for u in range(70000, 85000):
    if not os.path.lexists("%s/%d.user" % (d, u)):
        os.symlink("nova-holder.user", "%s/%d.user" % (d, u))' "$NOVA_AGENTS_USERDB"
RUNTIME_DIRECTORY=$(runtime c1) launch --prepare c1
is "$rc" 5 "the pool full: exit 5"
is "$err" "nova-agent-exec: no free agent identity: all 15000 UIDs 70000-84999 are held by running agents" \
	"the pool full: the one-line reason"
rmdir "$NOVA_AGENTS_RUNDIR/agents/holder"
RUNTIME_DIRECTORY=$NOVA_AGENTS_RUNDIR/agents/c1 launch --prepare c1
is "$rc" 0 "claims of an agent that no longer runs are taken back"

# Upgrade: a workspace of the shared dynamic UID, its files handed over.
mkdir -p "$NOVA_AGENTS_WORKSPACES/d1/sub"
echo data > "$NOVA_AGENTS_WORKSPACES/d1/sub/f"
ln -s /etc/passwd "$NOVA_AGENTS_WORKSPACES/d1/sub/link"
chown -R 63347:63347 "$NOVA_AGENTS_WORKSPACES/d1"
chown -h 63347:63347 "$NOVA_AGENTS_WORKSPACES/d1/sub/link"
RUNTIME_DIRECTORY=$(runtime d1) launch --prepare d1
uid4=$(stat -c %u "$NOVA_AGENTS_WORKSPACES/d1")
is "$(stat -c %u "$NOVA_AGENTS_WORKSPACES/d1/sub" "$NOVA_AGENTS_WORKSPACES/d1/sub/f" | sort -u) $(stat -c %u /etc/passwd) $(stat -c %u "$NOVA_AGENTS_WORKSPACES/d1/sub/link")" \
	"$uid4 0 $uid4" "a dynamic UID's files become the agent's; a symlink is changed, never followed"
[ $failed = 0 ]
