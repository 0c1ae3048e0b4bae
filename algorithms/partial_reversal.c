/*
 * partial_reversal.c - Gafni-Bertsekas link reversal: partial reversal.
 *
 * As full reversal (full_reversal.c, which holds the shared machinery: the
 * height exchange, link failures and recoveries, the oracles), except that a
 * sink keeps a list of the neighbours that reversed their link towards it
 * since its own last reversal, and reverses only the links to neighbours
 * not on the list; when every neighbour is on it, it reverses them all.
 * The list is emptied at every reversal.  On the chain pointing away from D
 * each node reverses once (n in all, against n(n+1)/2 for full reversal).
 * The step is taken as Gafni and Bertsekas's triple heights say (the links
 * to the lowest neighbours turn), which is the same as the list when no
 * link changes, and keeps the DAG acyclic, and ordered by the heights for
 * links that come back up, when links do change (full_reversal.c).
 */
#include "disco.h"

#include "link_reversal.h"

static void partial_init(struct disco_ctx *ctx, void *state)
{
    link_reversal_init(ctx, state, LINK_REVERSAL_PARTIAL, false);
}

const struct disco_algorithm disco_alg_partial_reversal = {
    .name = "partial-reversal",
    .family = "routing",
    .summary = "Gafni-Bertsekas partial reversal: a sink reverses the links "
               "to neighbours that did not just reverse towards it",
    .description =
        "Links are oriented acyclically; D is the destination. Each node "
        "lists the neighbours that reversed their link towards it since its "
        "own last reversal. A node other than D whose links all point "
        "towards it (a sink) reverses the links to neighbours not on its "
        "list (all of them if every neighbour is listed), tells each such "
        "neighbour with a reverse message, and empties its list (the step "
        "is computed with Gafni-Bertsekas triple heights, which give the "
        "same links and keep ordering them when links change). The "
        "orientation stays acyclic and, when no node but D is a sink, every "
        "node has a directed path to D. Initial orientation: from the "
        "`elevation` inputs, else --param orientation=0 (chain-away) or 1 "
        "(random, --param orientation_seed); heights are exchanged first "
        "(2m height messages). A link that goes down (--cut, --partition, "
        "down_at) leaves the DAG, and the sinks it makes reverse: the DAG is "
        "repaired; one that comes back rejoins pointing down the nodes' "
        "heights (one height message each way), which keeps it acyclic. "
        "Unless links change while nodes are reversing, each node's number of "
        "reversals is the same on every schedule.",
    .messages = "2m height, plus one reverse per reversed link: total work "
                "O(n_b*a* + n_b^2) reversals (n_b nodes without an initial "
                "path to D, a* a bound on their initial distance), exactly "
                "n on the chain pointing away from D",
    .time = "causal depth at most 1 + the total work (after the height "
            "exchange every message is sent by a reversal); n+1 on the "
            "chain D-v1-...-vn pointing away from D",
    .source = "E. Gafni, D. Bertsekas, Distributed algorithms for generating "
              "loop-free routes in networks with frequently changing "
              "topology, IEEE Trans. Commun. 29(1), 1981; C. Busch, S. "
              "Tirthapura, Analysis of link reversal routing algorithms, "
              "SIAM J. Comput. 35(2), 2005; Welch, Walter, Link Reversal "
              "Algorithms, 2012, ch. 2-3",
    .model = {
        .shape = DISCO_SHAPE_ANY,
        .undirected = true,
        .connected = true,
        .fifo = false,
        .unique_ids = false,
        .timing = DISCO_ASYNC,
        .topology = "line:11",
        .initiators = "all",
        .faults = "link failures and recoveries (--cut, --partition, "
                  "down_at/up_at), repaired; nodes cut off from the "
                  "destination reverse for ever while cut off",
        .node_params = {"destination"},
    },
    .params = link_reversal_params,
    .param_count = LINK_REVERSAL_PARAMS,
    .inputs = link_reversal_inputs,
    .input_count = 1,
    .message_kinds = link_reversal_kinds,
    .kind_count = 2,
    .properties = link_reversal_properties,
    .property_count = LINK_REVERSAL_PROPERTIES,
    .state_size = LINK_REVERSAL_STATE_SIZE,
    .port_state_size = LINK_REVERSAL_PORT_SIZE,
    .init = partial_init,
    .on_message = link_reversal_on_message,
    .on_link = link_reversal_on_link,
    .format_state = link_reversal_format_state,
    .result = link_reversal_result,
    .orientation = link_reversal_orientation,
};
