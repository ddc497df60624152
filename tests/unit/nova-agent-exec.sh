#!/bin/sh
# nova-agent-exec as systemd runs it, against scratch configuration
# directories ($NOVA_AGENTS_CONFDIR, $NOVA_AGENTS_RUNDIR): exit codes, the
# one-line messages, and what the executed command sees. Speaks TAP.
set -u

# As root the launcher refuses to run an agent without a claimed UID (that is
# nova-agent-exec-identity.sh); what this file checks holds for any other
# user, so as root it runs itself as nobody.
# Copies of the script and the launcher, so that the checkout's path (CI may
# clone below a 0700 home) need not be open to nobody.
if [ "$(id -u)" = 0 ] && [ -z "${NOVA_TEST_AS_NOBODY:-}" ]; then
	copy=$(mktemp -d "${TMPDIR:-/tmp}/nova-agent-exec-nobody.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
	chmod 755 "$copy"
	cp "$0" "$copy/test.sh" && cp "${top_builddir:?run through make check}/helpers/nova-agent-exec" "$copy/" ||
		{ echo "Bail out! cannot copy the test"; exit 1; }
	NOVA_TEST_AS_NOBODY=$copy/nova-agent-exec TMPDIR=/tmp \
		setpriv --reuid=nobody --regid=nogroup --clear-groups -- /bin/sh "$copy/test.sh" "$@"
	rc=$?
	rm -rf "$copy"
	exit $rc
fi

bin=${NOVA_TEST_AS_NOBODY:-${top_builddir:?run through make check}/helpers/nova-agent-exec}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/nova-agent-exec.XXXXXX") || { echo "Bail out! mktemp failed"; exit 1; }
trap 'rm -rf "$tmp"' EXIT

NOVA_AGENTS_CONFDIR=$tmp/etc
NOVA_AGENTS_RUNDIR=$tmp/run
export NOVA_AGENTS_CONFDIR NOVA_AGENTS_RUNDIR
# Not a unit: a launcher started by systemd as root (INVOCATION_ID set, e.g.
# inherited from a CI runner's service) insists on its unit's /tmp binds.
unset INVOCATION_ID
conf=$NOVA_AGENTS_CONFDIR
ws=$tmp/ws
mkdir -p "$conf/agents" "$NOVA_AGENTS_RUNDIR" "$ws/a1" "$tmp/bin" || { echo "Bail out! mkdir failed"; exit 1; }

n=0 failed=0
result() { # result PASSED DESCRIPTION
	n=$((n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		failed=$((failed + 1))
		sed 's/^/#   stdout: /' "$tmp/out"
		sed 's/^/#   stderr: /' "$tmp/err"
	fi
}
is() { # is GOT WANT DESCRIPTION
	[ "$1" = "$2" ]
	r=$?
	[ $r = 0 ] || printf '#   got:  %s\n#   want: %s\n' "$1" "$2"
	result $r "$3"
}
launch() { # launch ARG…: runs the launcher; sets $rc, $out, $err
	"$bin" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
lines() { # lines FILE: number of lines in FILE
	wc -l <"$1" | tr -d ' '
}
write() { # write FILE LINE…: a configuration file, one argument per line
	f=$1
	shift
	printf '%s\n' "$@" >"$f"
}

echo "1..50"

launch --help
is "$rc" 0 "--help exits 0"
case $out in *"127  command not found"*) r=0 ;; *) r=1 ;; esac
result $r "--help lists the exit codes"

launch
is "$rc" 2 "no agent name: exit 2"
is "$err" "nova-agent-exec: expected one agent name; see --help" "no agent name: one line"

launch 'a/b'
is "$rc" 2 "invalid name a/b: exit 2"
is "$err" "nova-agent-exec: invalid agent name \"a/b\": use 1-64 letters, digits, '-', '_', '.', starting with a letter or digit" \
	"invalid name: the one-line reason"

launch -- -x
is "$rc" 2 "invalid name -x (after --): exit 2"
launch --check -x
is "$rc" 2 "unknown option -x: exit 2"

launch --check a1
is "$rc" 3 "no configuration at all: exit 3"
is "$err" "nova-agent-exec: no Command= for agent a1 in $conf/default.conf, $conf/agents/a1.conf or $NOVA_AGENTS_RUNDIR/a1.conf" \
	"no configuration: the message names the three files"
is "$(lines "$tmp/err")" 1 "no configuration: exactly one line on stderr"

write "$conf/agents/a1.conf" "Workspace=$ws/%i" "Comand=/bin/true"
launch --check a1
is "$rc" 3 "unknown key: exit 3"
is "$err" "nova-agent-exec: $conf/agents/a1.conf:2: unknown key \"Comand\"" "unknown key: file:line in the message"

write "$conf/default.conf" "Command=/bin/sh -c 'echo \$NOVA_AGENT_NAME; pwd'"
write "$conf/agents/a1.conf" "Workspace=$ws/%i"
launch --check a1
is "$rc" 0 "--check with a valid configuration: exit 0"
is "$out" "agent a1: workspace $ws/a1, command /bin/sh -c 'echo \$NOVA_AGENT_NAME; pwd'" "--check: the one-line summary"

launch a1
is "$rc" 0 "exec: the command's exit status"
is "$out" "$(printf 'a1\n%s' "$ws/a1")" "exec: NOVA_AGENT_NAME set, working directory is the workspace"

launch --check a2
is "$rc" 4 "default workspace missing: exit 4"
is "$err" "nova-agent-exec: workspace /var/lib/nova-agents/workspaces/a2: No such file or directory" \
	"default workspace: /var/lib/nova-agents/workspaces/NAME"

: >"$tmp/file"
write "$NOVA_AGENTS_RUNDIR/a3.conf" "Workspace=$tmp/file"
launch a3
is "$rc" 4 "workspace is a file: exit 4"
is "$err" "nova-agent-exec: workspace $tmp/file: not a directory" "workspace is a file: the message"

# The environment: from the configuration, overriding the inherited one, and
# applied before the command is looked up in $PATH.
printf '#!/bin/sh\necho "FOO=$FOO WS=$NOVA_AGENT_WORKSPACE PWD=$PWD"\n' >"$tmp/bin/show-env"
chmod 0755 "$tmp/bin/show-env"
write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=show-env" "Environment=FOO=from config" "Environment=PATH=$tmp/bin:/usr/bin:/bin"
FOO=inherited
export FOO
launch a1
unset FOO
is "$rc" 0 "exec through PATH from Environment=: exit 0"
is "$out" "FOO=from config WS=$ws/a1 PWD=$ws/a1" "Environment= wins over the inherited value; NOVA_AGENT_WORKSPACE, PWD set"

# NOVA_AGENT_CGROUP: the unified hierarchy's directory of the agent's cgroup
# when this host has one, unset otherwise; never a stale inherited value.
write "$NOVA_AGENTS_RUNDIR/a1.conf" \
	"Command=/bin/sh -c 'echo \"\${NOVA_AGENT_CGROUP-unset}\"; sed -n \"s/^0:://p\" /proc/self/cgroup'"
NOVA_AGENT_CGROUP=/stale
export NOVA_AGENT_CGROUP
launch a1
unset NOVA_AGENT_CGROUP
cg=$(echo "$out" | sed -n 1p)
self=$(echo "$out" | sed -n 2p)
if [ -z "$self" ]; then
	is "$cg" unset "NOVA_AGENT_CGROUP unset without cgroup v2"
else
	case $cg in
	/sys/fs/cgroup"$self" | /sys/fs/cgroup/unified"$self" | /sys/fs/cgroup | /sys/fs/cgroup/unified) r=0 ;;
	*) r=1 ;;
	esac
	[ $r = 0 ] && [ -d "$cg" ] || r=1
	result $r "NOVA_AGENT_CGROUP is the directory of this cgroup ($cg)"
fi

write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=nova-no-such-command --x"
launch a1
is "$rc" 127 "command not found: exit 127"
is "$err" "nova-agent-exec: command not found: nova-no-such-command" "command not found: the message"

printf '#!/bin/sh\n' >"$tmp/not-executable"
chmod 0644 "$tmp/not-executable"
write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=$tmp/not-executable"
launch a1
is "$rc" 126 "command not executable: exit 126"
is "$err" "nova-agent-exec: cannot execute $tmp/not-executable: Permission denied" "not executable: the message"

write "$NOVA_AGENTS_RUNDIR/a1.conf" "Environment=NOVA_AGENT_NAME=spoofed"
launch a1
is "$rc" 3 "a reserved NOVA_AGENT_ variable in the configuration: exit 3"

# --prepare: the merged configuration lands in $RUNTIME_DIRECTORY/NAME.conf,
# owned by the directory's owner; the plain launcher then prefers it.
rt=$tmp/runtime
mkdir -p "$rt"
write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=/bin/sh -c 'echo from-prepared'" "Environment=LAYER=run"
RUNTIME_DIRECTORY=$rt launch --prepare a1
is "$rc" 0 "--prepare: exit 0"
is "$(stat -c '%a %u' "$rt/a1.conf" 2>&1)" "600 $(stat -c %u "$rt")" "--prepare: NAME.conf is 0600 and owned like the runtime directory"
write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=/bin/sh -c 'echo from-layers'"
RUNTIME_DIRECTORY=$rt launch a1
is "$out" "from-prepared" "the launcher runs the prepared configuration, not the layers"
rm -f "$rt/a1.conf"
RUNTIME_DIRECTORY=$rt launch a1
is "$out" "from-layers" "without a prepared file the launcher reads the layers"
# The unit's other RuntimeDirectory= is the agent's scratch directory, told
# apart by its place, not its position (systemd 252 lists it first).
mkdir -p "$tmp/nova/scratch/a1"
write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=/bin/sh -c 'echo \"scratch=\$NOVA_AGENT_SCRATCH\"'"
RUNTIME_DIRECTORY=$tmp/nova/scratch/a1:$rt launch --prepare a1
is "$rc" 0 "--prepare with scratch and runtime directories: exit 0"
test -s "$rt/a1.conf" && test ! -e "$tmp/nova/scratch/a1/a1.conf" && test -d "$tmp/nova/scratch/a1/data"
result $? "--prepare: NAME.conf lands in the runtime one, the agent's data/ in the scratch one"
RUNTIME_DIRECTORY=$tmp/nova/scratch/a1:$rt launch a1
is "$out" "scratch=$tmp/nova/scratch/a1/data" "the launcher names its data/ NOVA_AGENT_SCRATCH"
test -f "$rt/started" -a ! -e "$tmp/nova/scratch/a1/started"
result $? "the launcher marks its start in the runtime directory (the soft deadline counts from it)"
# systemd removes the runtime directory between runs; here by hand.
rm -f "$rt/a1.conf" "$rt/started"
RUNTIME_DIRECTORY= launch --prepare a1
is "$rc" 2 "--prepare without RUNTIME_DIRECTORY: exit 2"
is "$err" "nova-agent-exec: --prepare needs exactly one RuntimeDirectory= (\$RUNTIME_DIRECTORY)" "--prepare without RUNTIME_DIRECTORY: the message"
printf 'Comand=x\n' >"$rt/a1.conf"
RUNTIME_DIRECTORY=$rt launch a1
is "$rc" 3 "a garbled prepared file: exit 3"
rm -f "$rt/a1.conf"

# The soft deadline's record for nova-reliefd: SOFT_USEC and the inode of the
# cgroup --prepare ran in (this test's own here); SoftDeadlineSec=0 removes an
# earlier run's. Every --prepare above wrote one too (the 15 min default).
cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
mnt=
for m in /sys/fs/cgroup /sys/fs/cgroup/unified; do
	[ "$(stat -fc %T "$m" 2>/dev/null)" = cgroup2fs ] && { mnt=$m; break; }
done
record=$NOVA_AGENTS_RUNDIR/soft-deadline/a1
write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=/bin/true" "SoftDeadlineSec=3s"
RUNTIME_DIRECTORY=$rt launch --prepare a1
if [ -n "$mnt" ] && [ -n "$cg" ]; then
	is "$rc" 0 "--prepare with SoftDeadlineSec=3s: exit 0"
	is "$(cat "$record" 2>&1)" "3000000 $(stat -c %i "$mnt$cg")" \
		"--prepare: the record holds 3 s in µs and the inode of its cgroup directory"
	is "$(stat -c %a "$(dirname "$record")")" 700 "--prepare: the records' directory is 0700"
else
	for what in exit record mode; do
		n=$((n + 1)); echo "ok $n - --prepare with SoftDeadlineSec=3s: $what # SKIP no cgroup v2 here"
	done
fi
write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=/bin/true" "SoftDeadlineSec=0"
RUNTIME_DIRECTORY=$rt launch --prepare a1
is "$rc" 0 "--prepare with SoftDeadlineSec=0: exit 0"
is "$(ls -A "$(dirname "$record")")" "" "--prepare with SoftDeadlineSec=0: the earlier record is gone"
rm -f "$rt/a1.conf" "$rt/started"

# DiskMax= is refused, not ignored, where no project quota can be set: here
# (not root) with exit 6, before anything is written.
write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=/bin/true" "DiskMax=50M"
RUNTIME_DIRECTORY=$rt launch --prepare a1
is "$rc" 6 "--prepare with DiskMax= and no root: exit 6"
is "$err" "nova-agent-exec: DiskMax= is refused: only root can set a project quota" "--prepare with DiskMax=: the message"
is "$(ls "$rt")" "" "--prepare with DiskMax= wrote nothing"
write "$NOVA_AGENTS_RUNDIR/a1.conf" "Command=/bin/true" "DiskMax=50MB"
launch --check a1
is "$rc" 3 "a bad DiskMax=: exit 3"
like_err() { case $err in *"$1"*) result 0 "$2" ;; *) result 1 "$2"; echo "#   got: '$err'" ;; esac; }
like_err 'a1.conf:2: invalid DiskMax= "50MB": not a size' "a bad DiskMax=: file:line and why"

[ $failed = 0 ]
