/* sandbox.c -- dropping root for an unprivileged user, and the synthesis workers' seccomp
 * filter (libseccomp). The filter allows by default and refuses what a worker never needs,
 * with an errno rather than a kill: a library probing for a file it may not write gets an
 * error it can handle, while an attacker who took over the worker gets nothing done. */
#define _GNU_SOURCE /* setgroups, CLONE_VM */
#include "sandbox.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <sched.h>
#include <seccomp.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "err.h"

#include "banned.h"

int sandbox_drop_user(const char *user, struct err *e)
{
    struct passwd *pw;

    errno = 0;
    if (!(pw = getpwnam(user)))
        return err_set(e, LY_EUSAGE, "user '%s' does not exist", user);
    if (getuid() == pw->pw_uid && geteuid() == pw->pw_uid)
        return LY_OK;
    if (geteuid() != 0)
        return err_set(e, LY_EDENIED, "only root can become user '%s'", user);
    if (setgroups(0, NULL) || setgid(pw->pw_gid) || setuid(pw->pw_uid))
        return err_set(e, LY_EDENIED, "cannot become user '%s': %s", user, strerror(errno));
    if (pw->pw_uid != 0 && setuid(0) == 0)
        return err_set(e, LY_EDENIED, "root could be regained after becoming '%s'", user);
    return LY_OK;
}

/* Syscalls refused outright. Some do not exist on every architecture: libseccomp then
 * refuses the rule, which is harmless, since the call cannot be made there either. */
static const char *const refused[] = {
    "socket",     "socketpair", "connect",
    "bind",       "listen",     "accept",
    "accept4",    "execve",     "execveat",
    "fork",       "vfork",      "creat",
    "unlink",     "unlinkat",   "rename",
    "renameat",   "renameat2",  "mkdir",
    "mkdirat",    "rmdir",      "link",
    "linkat",     "symlink",    "symlinkat",
    "chmod",      "fchmodat",   "chown",
    "fchownat",   "lchown",     "truncate",
    "mount",      "umount2",    "chroot",
    "pivot_root", "setns",      "unshare",
    "mknod",      "mknodat",    "process_vm_writev",
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
    "ptrace", /* LeakSanitizer traces its own process at exit to find leaks */
#endif
};

/* Refuses call (whose flags are argument arg) when the flags ask for any writing bit. */
static int refuse_writing(scmp_filter_ctx ctx, const char *call, unsigned arg)
{
    static const uint64_t bits[] = {O_WRONLY, O_RDWR, O_CREAT, O_TRUNC, O_APPEND};
    int nr = seccomp_syscall_resolve_name(call), rc = 0;
    size_t i;

    if (nr == __NR_SCMP_ERROR)
        return 0;
    for (i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
        rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EACCES), nr, 1,
                               (struct scmp_arg_cmp){arg, SCMP_CMP_MASKED_EQ, bits[i], bits[i]});
    return rc;
}

int sandbox_confine_worker(struct err *e)
{
    scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
    size_t i;
    int rc = 0, nr;

    if (!ctx)
        return err_set(e, LY_EDENIED, "cannot set up the worker's seccomp filter");
    for (i = 0; i < sizeof(refused) / sizeof(refused[0]); i++)
        if ((nr = seccomp_syscall_resolve_name(refused[i])) != __NR_SCMP_ERROR)
            seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), nr, 0);
    /* threads share memory (CLONE_VM) and are allowed; a fork does not */
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                           SCMP_A0(SCMP_CMP_MASKED_EQ, CLONE_VM, 0));
    /* clone3's and openat2's flags are behind a pointer that seccomp cannot read; without
       them glibc uses clone and openat */
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
    rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(openat2), 0);
    rc |= refuse_writing(ctx, "open", 1) | refuse_writing(ctx, "openat", 2);
    if (!rc)
        rc = seccomp_load(ctx);
    seccomp_release(ctx);
    return rc ? err_set(e, LY_EDENIED, "cannot load the worker's seccomp filter: %s", strerror(-rc))
              : LY_OK;
}
