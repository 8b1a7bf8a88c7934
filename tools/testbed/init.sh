#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of every oticket testbed guest (level 2 and level 3).  Mounts the
# usual file systems, loads KVM in a level-2 host, runs /otb/run.sh between
# the markers the testbed runner watches for (see tools/testbed/tb.h), and
# powers off.  OTB_* variables come from /otb/env, written by the runner.
/bin/busybox --install -s
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
mount -t debugfs debugfs /sys/kernel/debug
mkdir -p /dev/pts && mount -t devpts devpts /dev/pts
set -a
. /otb/env
set +a
export OTB_KERNEL=/boot/bzImage OTB_L3_INITRD=/boot/l3.cpio OTB_LIB=/otb/lib

otb_load_kvm() {
	if grep -qw svm /proc/cpuinfo; then
		# shellcheck disable=SC2086
		modprobe kvm_amd ${OTB_KVM_AMD_PARAMS-nested=0 npt=0} || return 1
	elif grep -qw vmx /proc/cpuinfo; then
		# shellcheck disable=SC2086
		modprobe kvm_intel ${OTB_KVM_INTEL_PARAMS-nested=0} || return 1
	else
		echo "otb: no SVM or VMX in this CPU" && return 1
	fi
	[ -c /dev/kvm ] || { echo "otb: /dev/kvm missing after loading KVM"; return 1; }
}

if [ "$OTB_LEVEL" = 2 ] && [ "${OTB_KVM:-1}" = 1 ]; then
	otb_load_kvm || echo "otb: KVM failed to load"
fi

# A heartbeat lets the runner tell a frozen guest from a quiet job.
if [ -n "${OTB_HEARTBEAT:-}" ]; then
	(while sleep "$OTB_HEARTBEAT"; do echo "otb: heartbeat $(cut -d' ' -f1 /proc/uptime)"; done) &
fi

echo "@@OTB-BEGIN $(uname -r) level=$OTB_LEVEL@@"
cd /tmp && sh /otb/run.sh
rc=$?
echo "@@OTB-EXIT $rc@@"
poweroff -f
