# The ioctl fuzzer (am_ioctl_fuzz): 50,000 seeded random calls as root and
# 50,000 as nobody, for each of two fixed seeds, every result checked
# against a model of ctl.c (errno, untouched buffers, mode, counters,
# sysfs); then the module must still work.  About 15 s on 6.1 under TCG.
. ./lib.sh
S=/sys/kernel/mm/anonmerge

# As root, starting from a mode that is not the load default: the fuzzer
# sets random modes and must put back the one it found.
SEEDS="20250601 4242"
expect_rc 0 anonmergectl dry-run
for seed in $SEEDS; do
	checked am_ioctl_fuzz -s $seed -n 50000
	expect_eq "mode after the root run, seed $seed" dry-run "$(cat $S/mode)"
done

# As nobody (am_runas), on a descriptor a root shell opened, as the node is
# 0600: every call must fail with EPERM and change nothing, the mode on
# included.
expect_rc 0 anonmergectl enable
max=$(cat $S/max_rehome_pages)
exec 3<>/dev/anonmerge
for seed in $SEEDS; do
	checked am_runas 65534 am_ioctl_fuzz -u 65534 -d 3 -s $seed -n 50000
done
exec 3<&-
expect_eq "mode after the unprivileged run" on "$(cat $S/mode)"
expect_eq "max_rehome_pages after the unprivileged run" "$max" \
	"$(cat $S/max_rehome_pages)"

# -u as root: the fuzzer opens the node, then drops to nobody itself.
checked am_ioctl_fuzz -u 65534 -s 4242 -n 10000
expect_eq "mode after the self-dropping run" on "$(cat $S/mode)"

# The module still answers and verifies.
expect_rc 0 anonmergectl disable
expect_rc 0 anonmergectl status
expect_out "mode: +off"
expect_rc 0 anonmergectl stats
expect_rc 0 anonmergectl verify $$
expect_out "bad_anon_vma 0, bad_index 0, bad_vma 0, bad_rmap 0, bad_pgoff 0: ok"
