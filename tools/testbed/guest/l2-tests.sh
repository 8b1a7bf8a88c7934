# SPDX-License-Identifier: GPL-2.0
# Level-2 part of "make test": one level-2 boot runs every check below; the
# host side (tools/testing/otest.c) grades each section separately.
#   @@SEC <name>  starts a section, @@RC <n> ends it with a status.
g="testbed guest --retries ${OTB_RETRIES:-2}"
# level-3 CPU: testbed's default (TB_L3_CPU); test-and-set drops PV unhalt

echo "@@SEC l2-host"
lsmod | grep -E '^kvm'
ls -l /dev/kvm
testbed kvm-check
echo "@@RC $?"

echo "@@SEC kvm_pv_test"
/usr/bin/kvm_pv_test
echo "@@RC $?"

# Upstream switches, and pvlock= with a bad value: which lock runs.
echo "@@SEC smoke-default"
$g --vm smoke-pv --vcpus 2 --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC smoke-nopvspin"
$g --vm smoke-native --vcpus 2 --append nopvspin --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC smoke-nounhalt"
$g --vm smoke-tas --vcpus 2 --cpu-flags kvm-pv-unhalt=off --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC smoke-badmode"
$g --vm smoke-bad --vcpus 2 --append pvlock=bogus --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC kunit"
$g --vm kunit --vcpus 4 --append pvlock=oticket --env KUNIT=1 --env LT_TYPES=none \
	--script "$OTB_LIB"/l3-locktorture.sh
echo "@@RC $?"

# Every mode at 2x over-commit (4 vCPUs on 2), three lock types.
secs=${OTB_LT_SECS:-4}
for m in pvqspinlock qspinlock tas pvticket oticket oqspin; do
	echo "@@SEC torture-$m"
	$g --vm "lt-$m" --vcpus 4 --append "pvlock=$m" --env LT_SECS="$secs" \
		--env LT_TYPES="spin_lock spin_lock_irq raw_spin_lock" \
		--script "$OTB_LIB"/l3-locktorture.sh
	echo "@@RC $?"
done

# The opportunistic modes at 4x over-commit, and under CPU hotplug.
for m in oticket oqspin; do
	echo "@@SEC torture4x-$m"
	$g --vm "lt4x-$m" --vcpus 8 --append "pvlock=$m" --env LT_SECS="$secs" \
		--script "$OTB_LIB"/l3-locktorture.sh
	echo "@@RC $?"

	echo "@@SEC hotplug-$m"
	$g --vm "hp-$m" --vcpus 4 --append "pvlock=$m" --env LT_SECS=12 \
		--env LT_ARGS="onoff_interval=1 onoff_holdoff=1 verbose=2" \
		--script "$OTB_LIB"/l3-locktorture.sh
	echo "@@RC $?"
done
