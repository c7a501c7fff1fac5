// SPDX-License-Identifier: GPL-2.0
/*
 * Tables by name, and the table commands (pflctl -t NAME -T ...). The
 * tables themselves (core/table.c) are read locklessly by the packet path;
 * everything here runs under the netns's config lock.
 */
#include <linux/slab.h>
#include <net/sock.h>

#include "netlink.h"

const struct nla_policy pfl_table_policy[PFL_TABLE_A_MAX + 1] = {
	[PFL_TABLE_A_NAME]	= { .type = NLA_NUL_STRING,
				    .len = PFL_TABLE_NAME_SIZE - 1 },
	[PFL_TABLE_A_FLAGS]	= NLA_POLICY_MASK(NLA_U32, PFL_TABLE_F_ALL),
	[PFL_TABLE_A_ENTRIES]	= { .type = NLA_BINARY },
	/* Replies only. */
	[PFL_TABLE_A_COUNT]	= { .type = NLA_REJECT },
	[PFL_TABLE_A_REFS]	= { .type = NLA_REJECT },
	[PFL_TABLE_A_CHANGED]	= { .type = NLA_REJECT },
	[PFL_TABLE_A_MATCHES]	= { .type = NLA_REJECT },
};

/*
 * Apply the struct pfl_table_entry array in @nla to @t: add, or delete.
 * Every entry is checked before any is applied, so a bad entry changes
 * nothing; so does an add that could take *@total (the entries of the
 * tables @t is counted with) over @limit, `set limit table-entries`.
 */
int pfl_nl_get_entries(struct pfl_table *t, const struct nlattr *nla,
		       bool add, u32 *total, u32 limit, u32 *changed,
		       struct netlink_ext_ack *extack)
{
	u32 before = pfl_table_count(t);

	const struct pfl_table_entry *e;
	u32 i, n;
	int ret;

	*changed = 0;
	if (!nla)
		return 0;
	if (nla_len(nla) % sizeof(*e)) {
		NL_SET_ERR_MSG_ATTR(extack, nla,
				    "table entries: length is not a multiple of an entry");
		return -EINVAL;
	}
	e = nla_data(nla);
	n = nla_len(nla) / sizeof(*e);
	for (i = 0; i < n; i++) {
		if (pfl_table_entry_check(&e[i])) {
			pfl_nl_set_err(extack, "invalid table entry",
				       "table <%s>: entry %u is invalid",
				       pfl_table_name(t), i);
			return -EINVAL;
		}
	}
	if (add && n > limit - min(*total, limit)) {
		pfl_nl_limit_err(extack, PFL_LIMIT_TABLE_ENTRIES, limit,
				 pfl_table_name(t));
		return -ENOSPC;
	}
	ret = 0;
	for (i = 0; i < n; i++) {
		ret = add ? pfl_table_add(t, &e[i]) : pfl_table_del(t, &e[i]);
		if (ret < 0) {
			NL_SET_ERR_MSG(extack, "out of memory for table entries");
			break;
		}
		*changed += ret;
		ret = 0;
	}
	*total += pfl_table_count(t) - before;
	return ret;
}

/* "set limit NAME N reached" with what it refused. */
void pfl_nl_limit_err(struct netlink_ext_ack *extack, enum pfl_limit l,
		      u32 limit, const char *what)
{
	pfl_nl_set_err(extack, pfl_limit_info[l].reached,
		       "set limit %s %u reached: %s",
		       pfl_limit_info[l].name, limit, what);
}

static int reply_u32(struct genl_info *info, u8 cmd, int type, u32 v)
{
	struct sk_buff *msg;
	struct nlattr *nest;
	void *hdr;

	msg = genlmsg_new(NLMSG_GOODSIZE, GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pfl_family, 0, cmd);
	if (!hdr)
		goto err;
	nest = nla_nest_start(msg, PFL_A_TABLE);
	if (!nest || nla_put_u32(msg, type, v))
		goto err;
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
err:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int parse_table_attr(struct genl_info *info, struct nlattr **tb)
{
	int err;

	if (!info->attrs[PFL_A_TABLE]) {
		NL_SET_ERR_MSG(info->extack, "missing table");
		return -EINVAL;
	}
	err = nla_parse_nested(tb, PFL_TABLE_A_MAX, info->attrs[PFL_A_TABLE],
			       pfl_table_policy, info->extack);
	if (err)
		return err;
	if (!tb[PFL_TABLE_A_NAME] || !nla_len(tb[PFL_TABLE_A_NAME]) ||
	    !*(char *)nla_data(tb[PFL_TABLE_A_NAME])) {
		NL_SET_ERR_MSG(info->extack, "missing table name");
		return -EINVAL;
	}
	return 0;
}

/* The table named in the request; created (persistent, as pf does) when
 * @create and it does not exist.
 */
static struct pfl_table *request_table(struct pfl_net *pn, struct nlattr **tb,
				       bool create, struct genl_info *info)
{
	const char *name = nla_data(tb[PFL_TABLE_A_NAME]);
	struct pfl_table_ref *ref;
	struct pfl_table *t;

	u32 limit;

	ref = pfl_table_list_find(&pn->tables, name);
	if (ref)
		return ref->table;
	if (!create) {
		pfl_nl_set_err(info->extack, "no such table",
			       "table <%s> does not exist", name);
		return ERR_PTR(-ENOENT);
	}
	limit = pfl_net_limit(pn, PFL_LIMIT_TABLES);
	if (pn->tables.count >= limit) {
		pfl_nl_limit_err(info->extack, PFL_LIMIT_TABLES, limit, name);
		return ERR_PTR(-ENOSPC);
	}
	t = pfl_table_create(name, PFL_TABLE_F_PERSIST);
	if (!t || pfl_table_list_add(&pn->tables, t))
		return ERR_PTR(-ENOMEM);
	return t;
}

/* TABLE_ADD, _DEL, _REPLACE, _FLUSH. */
int pfl_cmd_table_change(struct sk_buff *skb, struct genl_info *info)
{
	struct pfl_net *pn = pfl_net(genl_info_net(info));
	struct nlattr *tb[PFL_TABLE_A_MAX + 1];
	u8 cmd = info->genlhdr->cmd;
	struct pfl_table *t;
	u32 changed = 0;
	int err;

	err = parse_table_attr(info, tb);
	if (err)
		return err;
	pfl_conf_lock(&pn->lock);
	t = request_table(pn, tb, cmd == PFL_CMD_TABLE_ADD ||
				  cmd == PFL_CMD_TABLE_REPLACE, info);
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		goto out;
	}
	if (pfl_table_flags(t) & PFL_TABLE_F_CONST) {
		pfl_nl_set_err(info->extack, "the table is const",
			       "table <%s> is const", pfl_table_name(t));
		err = -EPERM;
		goto out;
	}
	switch (cmd) {
	case PFL_CMD_TABLE_ADD:
	case PFL_CMD_TABLE_DEL:
		err = pfl_nl_get_entries(t, tb[PFL_TABLE_A_ENTRIES],
					 cmd == PFL_CMD_TABLE_ADD,
					 &pn->table_entries,
					 pfl_net_limit(pn, PFL_LIMIT_TABLE_ENTRIES),
					 &changed, info->extack);
		break;
	case PFL_CMD_TABLE_REPLACE: {
		const struct nlattr *nla = tb[PFL_TABLE_A_ENTRIES];
		const struct pfl_table_entry *e = nla ? nla_data(nla) : NULL;
		u32 i, n = nla ? nla_len(nla) / sizeof(*e) : 0;
		u32 limit = pfl_net_limit(pn, PFL_LIMIT_TABLE_ENTRIES);
		u32 others = pn->table_entries - pfl_table_count(t);

		if (nla && nla_len(nla) % sizeof(*e)) {
			NL_SET_ERR_MSG(info->extack, "bad table entries");
			err = -EINVAL;
			break;
		}
		if (n > limit - min(others, limit)) {
			pfl_nl_limit_err(info->extack, PFL_LIMIT_TABLE_ENTRIES,
					 limit, pfl_table_name(t));
			err = -ENOSPC;
			break;
		}
		for (i = 0; i < n && !err; i++)
			if (pfl_table_entry_check(&e[i])) {
				pfl_nl_set_err(info->extack,
					       "invalid table entry",
					       "table <%s>: entry %u is invalid",
					       pfl_table_name(t), i);
				err = -EINVAL;
			}
		if (err)
			break;
		err = pfl_table_replace(t, e, n);
		if (err >= 0) {
			changed = err;
			err = 0;
		}
		pn->table_entries = others + pfl_table_count(t);
		break;
	}
	case PFL_CMD_TABLE_FLUSH:
		changed = pfl_table_flush(t);
		pn->table_entries -= changed;
		break;
	}
	if (changed)
		pn->generation++;
out:
	pfl_conf_unlock(&pn->lock);
	if (err)
		return err;
	return reply_u32(info, cmd, PFL_TABLE_A_CHANGED, changed);
}

/* TABLE_TEST: which of the given addresses match the table. */
int pfl_cmd_table_test(struct sk_buff *skb, struct genl_info *info)
{
	struct pfl_net *pn = pfl_net(genl_info_net(info));
	struct nlattr *tb[PFL_TABLE_A_MAX + 1];
	const struct pfl_table_entry *e;
	struct pfl_table_entry *hits;
	struct pfl_table *t;
	struct sk_buff *msg;
	struct nlattr *nest;
	u32 i, n, nhits = 0;
	void *hdr;
	int err;

	err = parse_table_attr(info, tb);
	if (err)
		return err;
	if (!tb[PFL_TABLE_A_ENTRIES] ||
	    nla_len(tb[PFL_TABLE_A_ENTRIES]) % sizeof(*e)) {
		NL_SET_ERR_MSG(info->extack, "missing or bad addresses to test");
		return -EINVAL;
	}
	e = nla_data(tb[PFL_TABLE_A_ENTRIES]);
	n = nla_len(tb[PFL_TABLE_A_ENTRIES]) / sizeof(*e);
	hits = kvcalloc(n ? n : 1, sizeof(*hits), GFP_KERNEL_ACCOUNT);
	if (!hits)
		return -ENOMEM;
	pfl_conf_lock(&pn->lock);
	t = request_table(pn, tb, false, info);
	if (IS_ERR(t)) {
		err = PTR_ERR(t);
		goto out;
	}
	rcu_read_lock();
	for (i = 0; i < n; i++) {
		if (pfl_table_entry_check(&e[i]))
			continue;
		if (pfl_table_match(t, e[i].family,
				    (const union pfl_addr *)e[i].addr))
			hits[nhits++] = e[i];
	}
	rcu_read_unlock();
out:
	pfl_conf_unlock(&pn->lock);
	if (err)
		goto free;
	err = -ENOMEM;
	msg = genlmsg_new(nla_total_size(nhits * sizeof(*hits)) + 256,
			  GFP_KERNEL);
	if (!msg)
		goto free;
	hdr = genlmsg_put_reply(msg, info, &pfl_family, 0, PFL_CMD_TABLE_TEST);
	nest = hdr ? nla_nest_start(msg, PFL_A_TABLE) : NULL;
	if (!nest || nla_put(msg, PFL_TABLE_A_MATCHES, nhits * sizeof(*hits),
			     hits)) {
		nlmsg_free(msg);
		err = -EMSGSIZE;
		goto free;
	}
	nla_nest_end(msg, nest);
	genlmsg_end(msg, hdr);
	err = genlmsg_reply(msg, info);
free:
	kvfree(hits);
	return err;
}

/* TABLE_GET dump: one message per table. */
int pfl_dump_tables(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pfl_net *pn = pfl_net(sock_net(skb->sk));
	struct pfl_table_ref *ref;
	struct nlattr *nest;
	long idx = 0;
	void *hdr;

	pfl_conf_lock(&pn->lock);
	cb->seq = pn->generation;
	list_for_each_entry(ref, &pn->tables.all, list) {
		struct pfl_table *t = ref->table;

		if (idx++ < cb->args[0])
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid,
				  cb->nlh->nlmsg_seq, &pfl_family, NLM_F_MULTI,
				  PFL_CMD_TABLE_GET);
		if (!hdr)
			break;
		genl_dump_check_consistent(cb, hdr);
		nest = nla_nest_start(skb, PFL_A_TABLE);
		if (!nest ||
		    nla_put_string(skb, PFL_TABLE_A_NAME, pfl_table_name(t)) ||
		    nla_put_u32(skb, PFL_TABLE_A_FLAGS, pfl_table_flags(t)) ||
		    nla_put_u32(skb, PFL_TABLE_A_COUNT, pfl_table_count(t)) ||
		    nla_put_u32(skb, PFL_TABLE_A_REFS, ref->rules)) {
			genlmsg_cancel(skb, hdr);
			break;
		}
		nla_nest_end(skb, nest);
		genlmsg_end(skb, hdr);
		cb->args[0] = idx;
	}
	pfl_conf_unlock(&pn->lock);
	return skb->len;
}

/*
 * The state of a TABLE_ENTRIES_GET dump (cb->args[0]). Each part goes on
 * after the last entry sent, found in the trie directly: a part costs what
 * it sends, and entries added or deleted meanwhile neither repeat nor
 * hide others.
 */
struct entries_dump {
	struct pfl_table_entry last;	/* the last entry sent, if any */
	bool has_last;
	bool started;		/* the first message (maybe empty) is out */
	char name[PFL_TABLE_NAME_SIZE];
};

static struct entries_dump *entries_dump(struct netlink_callback *cb)
{
	return (struct entries_dump *)cb->args[0];
}

int pfl_dump_table_entries_done(struct netlink_callback *cb)
{
	kfree(entries_dump(cb));
	return 0;
}

/* TABLE_ENTRIES_GET: the table's name is read once, at the start. */
int pfl_dump_table_entries_start(struct netlink_callback *cb)
{
	struct nlattr *tb[PFL_A_MAX + 1], *ttb[PFL_TABLE_A_MAX + 1];
	struct entries_dump *d;
	int err;

	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, PFL_A_MAX, NULL,
			  cb->extack);
	if (err)
		return err;
	if (!tb[PFL_A_TABLE]) {
		NL_SET_ERR_MSG(cb->extack, "missing table");
		return -EINVAL;
	}
	err = nla_parse_nested(ttb, PFL_TABLE_A_MAX, tb[PFL_A_TABLE],
			       pfl_table_policy, cb->extack);
	if (err)
		return err;
	if (!ttb[PFL_TABLE_A_NAME]) {
		NL_SET_ERR_MSG(cb->extack, "missing table name");
		return -EINVAL;
	}
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	nla_strscpy(d->name, ttb[PFL_TABLE_A_NAME], PFL_TABLE_NAME_SIZE);
	cb->args[0] = (unsigned long)d;
	return 0;
}

struct entries_buf {
	struct pfl_table_entry *e;
	u32 n;
	u32 max;
};

static int collect_entry(void *arg, const struct pfl_table_entry *e)
{
	struct entries_buf *b = arg;

	if (b->n == b->max)
		return 1;
	b->e[b->n++] = *e;
	return 0;
}

int pfl_dump_table_entries(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pfl_net *pn = pfl_net(sock_net(skb->sk));
	struct entries_dump *d = entries_dump(cb);
	const char *name = d->name;
	struct pfl_table_ref *ref;
	struct entries_buf b;
	struct nlattr *nest;
	void *hdr;
	int ret = 0;

	/* As many entries as fit in the message with room for headers. */
	b.max = (skb_tailroom(skb) - 256) / sizeof(*b.e);
	if ((int)b.max <= 0)
		return -EMSGSIZE;
	b.e = kvmalloc_array(b.max, sizeof(*b.e), GFP_KERNEL_ACCOUNT);
	if (!b.e)
		return -ENOMEM;
	b.n = 0;
	pfl_conf_lock(&pn->lock);
	cb->seq = pn->generation;
	ref = pfl_table_list_find(&pn->tables, name);
	if (!ref) {
		ret = d->started ? 0 : -ENOENT;
		goto out;
	}
	pfl_table_walk(ref->table, d->has_last ? &d->last : NULL,
		       collect_entry, &b);
	if (!b.n && d->started)
		goto out;	/* done */
	hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
			  &pfl_family, NLM_F_MULTI, PFL_CMD_TABLE_ENTRIES_GET);
	if (!hdr) {
		ret = -EMSGSIZE;
		goto out;
	}
	genl_dump_check_consistent(cb, hdr);
	nest = nla_nest_start(skb, PFL_A_TABLE);
	if (!nest || nla_put_string(skb, PFL_TABLE_A_NAME, name) ||
	    nla_put(skb, PFL_TABLE_A_ENTRIES, b.n * sizeof(*b.e), b.e)) {
		genlmsg_cancel(skb, hdr);
		ret = -EMSGSIZE;
		goto out;
	}
	nla_nest_end(skb, nest);
	genlmsg_end(skb, hdr);
	if (b.n) {
		d->last = b.e[b.n - 1];
		d->has_last = true;
	}
	d->started = true;
	ret = skb->len;
out:
	pfl_conf_unlock(&pn->lock);
	kvfree(b.e);
	return ret;
}
