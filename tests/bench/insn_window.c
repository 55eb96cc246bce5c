// SPDX-License-Identifier: GPL-2.0-only
/*
 * QEMU TCG plugin of 'make bench': counts the instructions the emulated CPU
 * executes at kernel addresses (bit 63 set) between two marker instructions
 * that only user code uses, per vCPU, and prints one line per window:
 *
 *   xchg %dx,%dx (66 87 d2)   a new case starts: prints "case"
 *   xchg %bx,%bx (66 87 db)   opens a window on this vCPU
 *   xchg %cx,%cx (66 87 c9)   closes it: prints "window N"
 *
 * The markers may run in the VMM's user code or in a nested guest.  Every
 * instruction at a kernel address counts: the test kernel's (KVM, entry
 * code, interrupts taken in the window), and a nested guest's if it ran code
 * there, which selftest guests, at low addresses, do not.
 * Load it with -plugin FILE -d plugin -D LOG.
 */
#include <stdio.h>
#include <string.h>

#include <qemu-plugin.h>

QEMU_PLUGIN_EXPORT int qemu_plugin_version = QEMU_PLUGIN_VERSION;

enum marker { CASE, OPEN, CLOSE };

static const unsigned char marker_bytes[][3] = {
	[CASE] = { 0x66, 0x87, 0xd2 },
	[OPEN] = { 0x66, 0x87, 0xdb },
	[CLOSE] = { 0x66, 0x87, 0xc9 },
};

struct vcpu_counts {
	uint64_t count;		/* kernel instructions so far */
	uint64_t opened;	/* count at the window's start, + 1; 0 if shut */
};

static struct qemu_plugin_scoreboard *board;
static qemu_plugin_u64 count, opened;

static void on_marker(unsigned int vcpu, void *udata)
{
	enum marker m = (enum marker)(uintptr_t)udata;
	uint64_t now = qemu_plugin_u64_get(count, vcpu);
	uint64_t start = qemu_plugin_u64_get(opened, vcpu);
	char line[64];

	switch (m) {
	case CASE:
		qemu_plugin_outs("case\n");
		break;
	case OPEN:
		qemu_plugin_u64_set(opened, vcpu, now + 1);
		break;
	case CLOSE:
		if (!start)
			break;
		snprintf(line, sizeof(line), "window %llu\n",
			 (unsigned long long)(now - (start - 1)));
		qemu_plugin_outs(line);
		qemu_plugin_u64_set(opened, vcpu, 0);
		break;
	}
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	size_t i, n = qemu_plugin_tb_n_insns(tb);

	for (i = 0; i < n; i++) {
		struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
		uint64_t vaddr = qemu_plugin_insn_vaddr(insn);
		unsigned char bytes[3];
		size_t m;

		if (vaddr >> 63) {
			qemu_plugin_register_vcpu_insn_exec_inline_per_vcpu(insn,
				QEMU_PLUGIN_INLINE_ADD_U64, count, 1);
			continue;
		}
		if (qemu_plugin_insn_size(insn) != sizeof(bytes) ||
		    qemu_plugin_insn_data(insn, bytes, sizeof(bytes)) != sizeof(bytes))
			continue;
		for (m = 0; m < sizeof(marker_bytes) / sizeof(marker_bytes[0]); m++) {
			if (!memcmp(bytes, marker_bytes[m], sizeof(bytes)))
				qemu_plugin_register_vcpu_insn_exec_cb(insn, on_marker,
					QEMU_PLUGIN_CB_NO_REGS, (void *)(uintptr_t)m);
		}
	}
}

QEMU_PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info,
					   int argc, char **argv)
{
	board = qemu_plugin_scoreboard_new(sizeof(struct vcpu_counts));
	count = qemu_plugin_scoreboard_u64_in_struct(board, struct vcpu_counts, count);
	opened = qemu_plugin_scoreboard_u64_in_struct(board, struct vcpu_counts, opened);
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	return 0;
}
