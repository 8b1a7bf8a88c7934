# SPDX-License-Identifier: GPL-2.0
# Level-3 boot smoke: what the kernel chose for spinlocks, and CPU count.
echo "otb: cpus=$(grep -c ^processor /proc/cpuinfo) release=$(uname -r)"
dmesg | grep -E 'kvm-guest: PV spinlocks|kvm-guest: PV .*unhalt|pvlock: |Booting paravirtualized kernel|smp: Brought up' \
	| sed 's/^\[[ 0-9.]*\] /otb: dmesg: /'
mount -t debugfs none /sys/kernel/debug 2>/dev/null
echo "otb: mode=$(cat /sys/kernel/debug/oticket/mode 2>/dev/null || echo none)"
