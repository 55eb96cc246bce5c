// SPDX-License-Identifier: GPL-2.0-only
/*
 * Test module of the harness, not of the series: sends NMIs to one CPU by
 * IPI and, in its NMI handler, reads a word of the interrupted task's memory
 * with copy_from_user_nmi(), as perf does, and copy_from_user_nofault(), as
 * BPF's bpf_probe_read_user() does.
 *
 * Writing "CPU ADDR COUNT GAP PKRU" to <debugfs>/nmi_uaccess/run sends COUNT
 * NMIs to CPU, one at a time and GAP microseconds apart, each reading at ADDR
 * in the writer's mm, where PKRU is the PKRU of the task that runs there.
 * Reading the file then gives the counts of the last run:
 *   sent     NMIs sent
 *   lost     NMIs not seen by the handler within 100 ms
 *   other    NMIs that interrupted a task with another mm
 *   user     NMIs that interrupted the writer's mm in user mode
 *   window   NMIs that found another PKRU than PKRU in the register
 *   ok       copy_from_user_nmi() reads that returned the whole word
 *   fault    copy_from_user_nmi() reads that failed
 *   nf_ok    copy_from_user_nofault() reads that succeeded
 *   nf_fault copy_from_user_nofault() reads that failed
 */
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/kernel.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/uaccess.h>
#include <asm/apic.h>
#include <asm/nmi.h>
#include <asm/pkru.h>

static struct dentry *dir;
static DEFINE_MUTEX(run_lock);

static struct mm_struct *target_mm;
static unsigned long target_addr;
static int target_cpu = -1;
static u32 target_pkru;
static atomic_t pending;
static u64 word;
static unsigned int sent, lost, other, user, window, ok, fault, nf_ok, nf_fault;

static int nmi_uaccess_handler(unsigned int type, struct pt_regs *regs)
{
	if (smp_processor_id() != READ_ONCE(target_cpu) ||
	    !atomic_xchg(&pending, 0))
		return NMI_DONE;

	if (current->mm != target_mm) {
		other++;
		return NMI_HANDLED;
	}
	if (user_mode(regs))
		user++;
	if (read_pkru() != target_pkru)
		window++;
	if (copy_from_user_nmi(&word, (void __user *)target_addr, sizeof(word)))
		fault++;
	else
		ok++;
	if (copy_from_user_nofault(&word, (void __user *)target_addr, sizeof(word)))
		nf_fault++;
	else
		nf_ok++;
	return NMI_HANDLED;
}

static ssize_t run_write(struct file *file, const char __user *ubuf,
			 size_t len, loff_t *ppos)
{
	unsigned int i, count, gap;
	u32 pkru;
	unsigned long addr;
	char buf[64];
	int cpu, j;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = 0;
	if (sscanf(buf, "%d %lx %u %u %x", &cpu, &addr, &count, &gap, &pkru) != 5 ||
	    cpu < 0 || cpu >= nr_cpu_ids || !cpu_online(cpu))
		return -EINVAL;

	mutex_lock(&run_lock);
	target_mm = current->mm;
	target_addr = addr;
	target_pkru = pkru;
	sent = lost = other = user = window = ok = fault = nf_ok = nf_fault = 0;
	WRITE_ONCE(target_cpu, cpu);
	for (i = 0; i < count && !signal_pending(current); i++) {
		atomic_set(&pending, 1);
		__apic_send_IPI_mask(cpumask_of(cpu), NMI_VECTOR);
		sent++;
		for (j = 0; j < 100000 && atomic_read(&pending); j++)
			udelay(1);
		if (atomic_xchg(&pending, 0))
			lost++;
		usleep_range(gap, gap + 10);
	}
	WRITE_ONCE(target_cpu, -1);
	mutex_unlock(&run_lock);
	return len;
}

static ssize_t run_read(struct file *file, char __user *ubuf, size_t len,
			loff_t *ppos)
{
	char buf[128];
	int n;

	mutex_lock(&run_lock);
	n = scnprintf(buf, sizeof(buf),
		      "sent %u lost %u other %u user %u window %u ok %u fault %u nf_ok %u nf_fault %u\n",
		      sent, lost, other, user, window, ok, fault, nf_ok, nf_fault);
	mutex_unlock(&run_lock);
	return simple_read_from_buffer(ubuf, len, ppos, buf, n);
}

static const struct file_operations run_fops = {
	.owner = THIS_MODULE,
	.read = run_read,
	.write = run_write,
};

static int __init nmi_uaccess_init(void)
{
	int r;

	r = register_nmi_handler(NMI_LOCAL, nmi_uaccess_handler, 0, "nmi_uaccess");
	if (r)
		return r;
	dir = debugfs_create_dir("nmi_uaccess", NULL);
	debugfs_create_file("run", 0600, dir, NULL, &run_fops);
	return 0;
}

static void __exit nmi_uaccess_exit(void)
{
	debugfs_remove_recursive(dir);
	unregister_nmi_handler(NMI_LOCAL, "nmi_uaccess");
}

module_init(nmi_uaccess_init);
module_exit(nmi_uaccess_exit);
MODULE_DESCRIPTION("NMI-time user reads on a chosen CPU, for the harness");
MODULE_LICENSE("GPL");
