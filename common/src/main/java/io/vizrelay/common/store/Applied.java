package io.vizrelay.common.store;

import io.vizrelay.common.visdom.Reply;
import java.util.List;

/** The result of a stored command: the client's reply and the numbered, durable deltas it made. */
public record Applied(Reply reply, List<Delta> deltas) {}
