/*
 * binary_link_labels.c - link reversal with binary link labels (Charron-Bost,
 * Gaillard, Welch, Widder), which has full and partial reversal as special
 * cases.
 *
 * Every link carries a label, 0 or 1.  A sink other than the destination
 * with at least one incoming link labelled 0 reverses the links labelled 0
 * and flips the labels of all its links; a sink whose links are all
 * labelled 1 reverses them all.  A reversed link therefore reaches its
 * other end labelled 1: the label of an incoming link says "this neighbour
 * reversed towards me since my last step", partial reversal's list.  With
 * every label 1 at the start this is full reversal, with every label 0
 * partial reversal.
 *
 * Node input `link_label` (0 or 1, default 0; `label` is Graphviz's)
 * labels the links that initially point into the node: the labelings with
 * one value per node, the ones the paper's game compares.  A link that
 * comes back up after a cut rejoins with the node's label.  The rest --
 * heights, the height exchange, link failures and recoveries, the
 * oracles -- is full_reversal.c's.
 */
#include "disco.h"

#include "link_reversal.h"

static void bll_init(struct disco_ctx *ctx, void *state)
{
    int64_t label = 0;
    disco_input(ctx, "link_label", &label);
    link_reversal_init(ctx, state, LINK_REVERSAL_LABELS, label != 0);
}

const struct disco_algorithm disco_alg_binary_link_labels = {
    .name = "binary-link-labels",
    .family = "routing",
    .summary = "link reversal with binary link labels: full and partial "
               "reversal as special cases",
    .description =
        "Links are oriented acyclically; D is the destination. Every link "
        "carries a label 0 or 1. A node other than D whose links all point "
        "towards it (a sink) reverses its links labelled 0 and flips the "
        "labels of all its links, or, when every label is 1, reverses all "
        "its links. Reversed links reach the neighbour labelled 1. Node "
        "input `link_label` (default 0) labels the links initially pointing "
        "into the node: all 1 gives full reversal, all 0 partial reversal. "
        "Initial orientation: from the `elevation` inputs, else --param "
        "orientation=0 (chain-away) or 1 (random, --param orientation_seed); "
        "heights are exchanged first (2m height messages). A link that "
        "goes down (--cut, --partition, down_at) leaves the DAG, and the "
        "sinks it makes reverse; one that comes back rejoins with the "
        "node's label, pointing down the heights (with labels that differ "
        "between nodes the heights may not order every link, and it may "
        "close a cycle). Unless links change while nodes are reversing, "
        "each node's number of reversals is the same on every schedule.",
    .messages = "2m height, plus one reverse per reversed link; all labels "
                "1: full reversal's work (n(n+1)/2 on the chain), all 0: "
                "partial reversal's (n on the chain)",
    .time = "causal depth at most 1 + the total work (after the height "
            "exchange every message is sent by a reversal)",
    .source = "B. Charron-Bost, A. Gaillard, J. L. Welch, J. Widder, Link "
              "reversal routing with binary link labels: work complexity, "
              "SIAM J. Comput., 2013; Welch, Walter, Link Reversal "
              "Algorithms, 2012, ch. 3",
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
    .input_count = 2,
    .message_kinds = link_reversal_kinds,
    .kind_count = 2,
    .properties = link_reversal_properties,
    .property_count = LINK_REVERSAL_PROPERTIES,
    .state_size = LINK_REVERSAL_STATE_SIZE,
    .port_state_size = LINK_REVERSAL_PORT_SIZE,
    .init = bll_init,
    .on_message = link_reversal_on_message,
    .on_link = link_reversal_on_link,
    .format_state = link_reversal_format_state,
    .result = link_reversal_result,
    .orientation = link_reversal_orientation,
};
