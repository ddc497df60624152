# Sourced by the benches (bench/scale.sh, bench/start-phases.sh): the agent
# unit's sandbox and caps as `systemd-run -p` properties, for the bare
# DynamicUser= service (one name each, so one UID each) that an agent start
# is compared with. Type=exec as the agent unit: systemd-run's default
# (simple) ends the start job at the fork, before the sandbox is set up.
bare_sandbox=(-p Type=exec -p DynamicUser=yes -p ProtectSystem=strict -p ProtectHome=yes -p PrivateTmp=yes
	-p PrivateDevices=yes -p PrivateIPC=yes -p NoNewPrivileges=yes -p RestrictSUIDSGID=yes
	-p ProtectKernelTunables=yes -p ProtectKernelModules=yes -p ProtectKernelLogs=yes -p ProtectControlGroups=yes
	-p ProtectClock=yes -p ProtectHostname=yes -p LockPersonality=yes -p RestrictRealtime=yes
	-p SystemCallArchitectures=native -p "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6" -p UMask=0077
	-p MemoryMax=4G -p MemoryHigh=3G -p MemorySwapMax=0 -p TasksMax=512 -p RuntimeMaxSec=30min)
# What the agent unit has beyond that (units/nova-agent@.service.in).
bare_sandbox_more=(-p ProtectProc=invisible -p PrivateMounts=yes -p InaccessiblePaths=-/run/systemd/journal/stdout -p SystemCallErrorNumber=EPERM
	-p "SystemCallFilter=~@clock @cpu-emulation @module @obsolete @raw-io @reboot @swap"
	-p "BindPaths=-/var/lib/nova-agents/workspaces/.tmp/none/tmp:/tmp")
