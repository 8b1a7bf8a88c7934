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

echo "@@SEC smoke-pvqspinlock"
$g --vm smoke-pv --vcpus 2 --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC smoke-qspinlock"
$g --vm smoke-native --vcpus 2 --append nopvspin --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC smoke-tas"
$g --vm smoke-tas --vcpus 2 --cpu-flags kvm-pv-unhalt=off --script "$OTB_LIB"/l3-smoke.sh
echo "@@RC $?"

echo "@@SEC locktorture"
$g --vm lt4 --vcpus 4 --env LT_SECS="${OTB_LT_SECS:-15}" \
	--script "$OTB_LIB"/l3-locktorture.sh
echo "@@RC $?"
