/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A simulated sync link for the engine (core/sync_proto.h): two or more
 * nodes, each an engine and a fake state table, exchanging messages over a
 * link with loss, reordering (extra delay) and duplication drawn from a
 * seeded PRNG, on a simulated clock. sim_run() drives every engine as the
 * kernel glue will: deliver what is due, poll until nothing, sleep until
 * the earliest deadline; and checks that after a poll returned nothing the
 * deadline is in the future (counted in sim.violations).
 */
#ifndef _PFL_SYNC_SIM_H
#define _PFL_SYNC_SIM_H

#include "sync_proto.h"

#define SIM_NODES	4
#ifndef SIM_TAB
#define SIM_TAB		(1U << 15)	/* slots of a fake table */
#endif

struct sim_ent {
	u8 used;		/* 1 live, 2 deleted (probe marker) */
	u64 stamp;
	struct pfl_state_info si;
};

struct sim_node {
	u32 id;
	struct pfl_sync_proto *p;
	struct sim_ent *tab;
	u32 live;
	u64 clock, mark[SIM_NODES + 1];
	u64 echo;		/* our own state received back */
	u64 applied;
	bool down;		/* link down: sends and receives nothing */
	struct sim *sim;
};

struct sim_pkt {
	u64 at;
	u32 to;
	u32 len;
	u8 *buf;
};

struct sim {
	u32 n;
	u64 now;
	u64 rng;
	u32 loss, reorder, dup;	/* percent */
	u64 delay, jitter;	/* ns: base, extra for a reordered one */
	struct sim_node node[SIM_NODES];
	struct sim_pkt *pkt;
	u32 npkt, cap;
	u64 violations;		/* deadline <= now after an empty poll */
	u64 sent, delivered;
	u64 corrupt;		/* percent of messages with a flipped byte */
	u16 drop_rec;		/* drop messages carrying this record type */
	u32 drop_left;		/* ... this many more times */
	u64 dropped_rec;
	struct pfl_sync_ops ops;
	struct pfl_sync_proto_cfg cfg[SIM_NODES];
};

/* Nodes 1..n (ids), every one a peer of every other; cfg as a template. */
void sim_init(struct sim *s, u32 n, u64 seed,
	      const struct pfl_sync_proto_cfg *cfg);
void sim_fini(struct sim *s);
u64 sim_rand(struct sim *s);
/* A local state of node @i created or changed (version + 1). */
void sim_touch(struct sim *s, u32 i, u64 id);
void sim_del(struct sim *s, u32 i, u64 id);
/* A state already in node @i's table (nothing queued: before a bulk). */
void sim_seed(struct sim *s, u32 i, u64 id);
/* Node @i restarts: empty table, a new engine with the next epoch. */
void sim_restart(struct sim *s, u32 i);
/* Runs the nodes and the link until @until (ns). */
void sim_run(struct sim *s, u64 until);
/* Every node's table holds the same states at the same versions. */
bool sim_converged(struct sim *s);
bool sim_idle(struct sim *s);
/* Prints the first differences between the tables (debugging). */
void sim_dump(struct sim *s);
struct sim_ent *sim_find(struct sim_node *nd, u32 creator, u64 id);

#endif /* _PFL_SYNC_SIM_H */
