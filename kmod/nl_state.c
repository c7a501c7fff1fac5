// SPDX-License-Identifier: GPL-2.0
/*
 * State commands: the STATES_GET dump, STATES_KILL and STATES_FLUSH, and
 * the state table's part of GET_STATUS.
 *
 * The dump walks the table bucket by bucket under each bucket's stripe
 * lock only (no configuration lock across parts) and never splits a
 * bucket between messages, so a state alive for the whole dump is
 * reported exactly once; a resize between parts flags NLM_F_DUMP_INTR.
 */
#include <net/genetlink.h>
#include <net/sock.h>

#include "netlink.h"

const struct nla_policy pfl_state_filter_policy[PFL_SFILTER_A_MAX + 1] = {
	[PFL_SFILTER_A_ID]		= { .type = NLA_U64 },
	[PFL_SFILTER_A_CREATOR]	= { .type = NLA_U32 },
	[PFL_SFILTER_A_HOST]	= NLA_POLICY_EXACT_LEN(sizeof(struct pfl_table_entry)),
	[PFL_SFILTER_A_HOST2] = NLA_POLICY_EXACT_LEN(sizeof(struct pfl_table_entry)),
};

static int get_host(struct pfl_table_entry *e, const struct nlattr *nla,
		    struct netlink_ext_ack *extack)
{
	nla_memcpy(e, nla, sizeof(*e));
	if (pfl_table_entry_check(e) || e->neg) {
		NL_SET_ERR_MSG_ATTR(extack, nla, "bad host address or prefix");
		return -EINVAL;
	}
	return 0;
}

/* PFL_A_STATE_FILTER into @f; @any is set when a criterion is given. */
static int get_filter(struct pfl_state_filter *f, const struct nlattr *nla,
		      bool *any, struct netlink_ext_ack *extack)
{
	struct nlattr *tb[PFL_SFILTER_A_MAX + 1];
	int err;

	memset(f, 0, sizeof(*f));
	*any = false;
	if (!nla)
		return 0;
	err = nla_parse_nested(tb, PFL_SFILTER_A_MAX, nla, pfl_state_filter_policy,
			       extack);
	if (err)
		return err;
	if (tb[PFL_SFILTER_A_ID]) {
		f->has_id = 1;
		f->id = nla_get_u64(tb[PFL_SFILTER_A_ID]);
		if (tb[PFL_SFILTER_A_CREATOR])
			f->creator = nla_get_u32(tb[PFL_SFILTER_A_CREATOR]);
	} else if (tb[PFL_SFILTER_A_CREATOR]) {
		NL_SET_ERR_MSG_ATTR(extack, tb[PFL_SFILTER_A_CREATOR],
				    "a creator id goes with a state id");
		return -EINVAL;
	}
	if (tb[PFL_SFILTER_A_HOST]) {
		f->has_host = 1;
		err = get_host(&f->host, tb[PFL_SFILTER_A_HOST], extack);
		if (err)
			return err;
	}
	if (tb[PFL_SFILTER_A_HOST2]) {
		f->has_host2 = 1;
		err = get_host(&f->host2, tb[PFL_SFILTER_A_HOST2], extack);
		if (err)
			return err;
	}
	*any = f->has_id || f->has_host || f->has_host2;
	return 0;
}

static int put_peer(struct sk_buff *skb, int type,
		    const struct pfl_state_peer *p)
{
	struct nlattr *nest = nla_nest_start(skb, type);

	if (!nest || nla_put_u8(skb, PFL_PEER_A_STATE, p->state) ||
	    nla_put_u32(skb, PFL_PEER_A_SEQLO, p->seqlo) ||
	    nla_put_u32(skb, PFL_PEER_A_SEQHI, p->seqhi) ||
	    nla_put_u32(skb, PFL_PEER_A_MAX_WIN, p->max_win) ||
	    nla_put_u8(skb, PFL_PEER_A_WSCALE, p->wscale))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

static int put_state(struct sk_buff *skb, const struct pfl_state_info *si)
{
	const struct pfl_state_key *k = &si->key;
	struct nlattr *nest = nla_nest_start(skb, PFL_A_STATE);

	if (!nest ||
	    nla_put_u64_64bit(skb, PFL_STATE_A_ID, si->id, PFL_STATE_A_PAD) ||
	    nla_put_u32(skb, PFL_STATE_A_CREATOR, si->creator) ||
	    nla_put_u8(skb, PFL_STATE_A_FAMILY, k->af) ||
	    nla_put_u8(skb, PFL_STATE_A_PROTO, k->proto) ||
	    nla_put_u8(skb, PFL_STATE_A_DIR, si->dir) ||
	    nla_put(skb, PFL_STATE_A_ADDR0, 16, &k->addr[0]) ||
	    nla_put(skb, PFL_STATE_A_ADDR1, 16, &k->addr[1]) ||
	    nla_put_u16(skb, PFL_STATE_A_PORT0, be16_to_cpu(k->port[0])) ||
	    nla_put_u16(skb, PFL_STATE_A_PORT1, be16_to_cpu(k->port[1])) ||
	    nla_put_u32(skb, PFL_STATE_A_RULE, si->rule) ||
	    nla_put_u32(skb, PFL_STATE_A_AGE, si->age) ||
	    nla_put_u32(skb, PFL_STATE_A_EXPIRES, si->expires) ||
	    nla_put_u8(skb, PFL_STATE_A_TIMEOUT, si->timeout) ||
	    nla_put_u32(skb, PFL_STATE_A_FLAGS,
			si->flags & (PFL_STATE_F_PEER | PFL_STATE_F_PURGE)) ||
	    nla_put_u32(skb, PFL_STATE_A_VERSION, si->version) ||
	    nla_put(skb, PFL_STATE_A_PACKETS, sizeof(si->packets), si->packets) ||
	    nla_put(skb, PFL_STATE_A_BYTES, sizeof(si->bytes), si->bytes) ||
	    put_peer(skb, PFL_STATE_A_SRC, &si->src) ||
	    put_peer(skb, PFL_STATE_A_DST, &si->dst))
		return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/* A STATES_GET dump's position and filter, allocated at its start. */
struct states_dump {
	u32 bucket;
	bool filtered;
	struct pfl_state_filter f;
};

struct states_part {
	struct sk_buff *skb;
	struct netlink_callback *cb;
	struct states_dump *d;
	u32 creator;
};

static struct states_dump *states_dump(struct netlink_callback *cb)
{
	return (struct states_dump *)cb->args[0];
}

int pfl_dump_states_start(struct netlink_callback *cb)
{
	struct nlattr *tb[PFL_A_MAX + 1];
	struct states_dump *d;
	struct pfl_inst *inst;
	struct pfl_net *pn;
	int err;

	err = nlmsg_parse(cb->nlh, GENL_HDRLEN, tb, PFL_A_MAX, NULL,
			  cb->extack);
	if (err)
		return err;
	pn = pfl_net(sock_net(cb->skb->sk));
	pfl_conf_lock(&pn->lock);
	inst = pfl_net_inst(pn);
	pfl_conf_unlock(&pn->lock);
	if (!inst)
		return -ENOMEM;
	d = kzalloc(sizeof(*d), GFP_KERNEL_ACCOUNT);
	if (!d)
		return -ENOMEM;
	err = get_filter(&d->f, tb[PFL_A_STATE_FILTER], &d->filtered,
			 cb->extack);
	if (err) {
		kfree(d);
		return err;
	}
	cb->args[0] = (unsigned long)d;
	return 0;
}

int pfl_dump_states_done(struct netlink_callback *cb)
{
	kfree(states_dump(cb));
	return 0;
}

static int dump_one(const struct pfl_state_info *si, void *arg)
{
	struct states_part *p = arg;
	void *hdr;

	if (p->d->filtered && !pfl_state_filter_match(&p->d->f, si,
						      p->creator))
		return 0;
	hdr = genlmsg_put(p->skb, NETLINK_CB(p->cb->skb).portid,
			  p->cb->nlh->nlmsg_seq, &pfl_family, NLM_F_MULTI,
			  PFL_CMD_STATES_GET);
	if (!hdr)
		return -EMSGSIZE;
	genl_dump_check_consistent(p->cb, hdr);
	if (put_state(p->skb, si)) {
		genlmsg_cancel(p->skb, hdr);
		return -EMSGSIZE;
	}
	genlmsg_end(p->skb, hdr);
	return 0;
}

int pfl_dump_states(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct pfl_net *pn = pfl_net(sock_net(skb->sk));
	struct pfl_states *st = pn->inst->states;
	struct states_part p = {
		.skb = skb, .cb = cb, .d = states_dump(cb),
		.creator = pn->inst->creator,
	};
	u32 now = pfl_now(), n = pfl_states_nbuckets(st);
	unsigned char *mark;
	int err;

	cb->seq = pfl_states_generation(st);
	while (p.d->bucket < n) {
		mark = skb_tail_pointer(skb);
		err = pfl_states_walk_bucket(st, p.d->bucket, now, dump_one,
					     &p);
		if (err) {
			/* Whole buckets only: this one goes in the next. */
			nlmsg_trim(skb, mark);
			if (!skb->len)
				return err;	/* a bucket too big for a part */
			break;
		}
		p.d->bucket++;
		/* The table grew meanwhile: the dump says it is inconsistent
		 * (cb->seq) and goes on in the new one.
		 */
		n = pfl_states_nbuckets(st);
		/* Yield between parts, never with an empty one: a part of
		 * length 0 would end the dump here.
		 */
		if (need_resched()) {
			if (skb->len)
				break;
			cond_resched();
		}
	}
	return skb->len;
}

static int reply_killed(struct genl_info *info, u8 cmd, u32 killed)
{
	struct sk_buff *msg = genlmsg_new(NLMSG_DEFAULT_SIZE, GFP_KERNEL);
	void *hdr;

	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &pfl_family, 0, cmd);
	if (!hdr || nla_put_u32(msg, PFL_A_KILLED, killed)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

int pfl_cmd_states_kill(struct sk_buff *skb, struct genl_info *info)
{
	struct pfl_net *pn = pfl_net(genl_info_net(info));
	struct pfl_state_filter f;
	bool any;
	u32 killed;
	int err;

	err = get_filter(&f, info->attrs[PFL_A_STATE_FILTER], &any,
			 info->extack);
	if (err)
		return err;
	if (!any) {
		GENL_SET_ERR_MSG(info, "which states? a host or an id");
		return -EINVAL;
	}
	pfl_conf_lock(&pn->lock);
	killed = pn->inst ? pfl_states_kill(pn->inst->states, &f, pfl_now()) : 0;
	pfl_conf_unlock(&pn->lock);
	return reply_killed(info, PFL_CMD_STATES_KILL, killed);
}

int pfl_cmd_states_flush(struct sk_buff *skb, struct genl_info *info)
{
	struct pfl_net *pn = pfl_net(genl_info_net(info));
	u32 killed;

	pfl_conf_lock(&pn->lock);
	killed = pn->inst ? pfl_states_kill(pn->inst->states, NULL, pfl_now()) :
			    0;
	pfl_conf_unlock(&pn->lock);
	return reply_killed(info, PFL_CMD_STATES_FLUSH, killed);
}

/* GET_STATUS: the state table's size and every timeout in force. */
int pfl_put_state_status(struct sk_buff *skb, struct pfl_inst *inst)
{
	struct pfl_states *st = inst->states;
	u32 to[__PFL_TO_MAX];
	unsigned int i;

	to[PFL_TO_UNSPEC] = 0;
	for (i = PFL_TO_UNSPEC + 1; i < __PFL_TO_MAX; i++)
		to[i] = pfl_states_timeout(st, i);
	if (nla_put_u32(skb, PFL_A_STATES, pfl_states_count(st)) ||
	    nla_put_u32(skb, PFL_A_STATE_BUCKETS, pfl_states_nbuckets(st)))
		return -EMSGSIZE;
	return pfl_nl_put_u32_array(skb, PFL_A_TIMEOUTS, to, PFL_TO_MAX);
}
