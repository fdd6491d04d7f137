"""The masked autoencoder: a transformer encoder on the visible tokens, a small decoder on all of them.

As in MAE (He et al. 2022) and GenGait, masked tokens never enter the
encoder: each row's visible tokens are gathered (padded to the longest row
and hidden from attention by a key-padding mask), encoded, then put back
in place ("token assembly"); every masked position receives one learned
mask token, the position embeddings are added again, and a shallow decoder
predicts every token's patch values. The prediction at a masked token can
therefore not depend on that token's values, which a test asserts.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import nn

from analysis.gengait.tokens import TokenLayout


@dataclass(frozen=True)
class ModelShape:
    """Sizes of the network (the run profile chooses them)."""

    d_model: int = 48
    encoder_layers: int = 3
    decoder_layers: int = 1
    heads: int = 4
    feedforward: int = 96

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


class MaskedAutoencoder(nn.Module):
    """Channel × patch tokens in, patch values of every token out."""

    def __init__(self, layout: TokenLayout, shape: ModelShape) -> None:
        super().__init__()
        if shape.d_model % shape.heads:
            raise ValueError(f"d_model ({shape.d_model}) must be divisible by heads ({shape.heads})")
        self.layout = layout
        self.shape = shape
        d = shape.d_model
        self.project = nn.Linear(2 * layout.patch, d)
        self.component = nn.Embedding(len(layout.components), d)
        self.side = nn.Embedding(len(layout.sides), d)
        self.time = nn.Embedding(layout.n_patches, d)
        self.mask_token = nn.Parameter(torch.zeros(d))
        nn.init.normal_(self.mask_token, std=0.02)

        def layer() -> nn.TransformerEncoderLayer:
            return nn.TransformerEncoderLayer(d, shape.heads, shape.feedforward, dropout=0.0, batch_first=True, norm_first=True)

        self.encoder = nn.TransformerEncoder(layer(), shape.encoder_layers, enable_nested_tensor=False)
        self.encoder_norm = nn.LayerNorm(d)
        self.decoder = nn.TransformerEncoder(layer(), shape.decoder_layers, enable_nested_tensor=False)
        self.head = nn.Sequential(nn.LayerNorm(d), nn.Linear(d, layout.patch))
        self.register_buffer("component_index", torch.from_numpy(layout.token_component()).long(), persistent=False)
        self.register_buffer("side_index", torch.from_numpy(layout.token_side()).long(), persistent=False)
        self.register_buffer("time_index", torch.from_numpy(layout.token_patch()).long(), persistent=False)

    def positions(self) -> torch.Tensor:
        """(n_tokens, d): the component + side + time-patch embedding of every token."""
        return self.component(self.component_index) + self.side(self.side_index) + self.time(self.time_index)

    def forward(self, tokens: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """``tokens`` (B, T, 2·patch), ``mask`` (B, T) True = hidden -> predicted patch values (B, T, patch)."""
        batch, n_tokens, _ = tokens.shape
        positions = self.positions()
        embedded = self.project(tokens) + positions
        visible = ~mask
        counts = visible.sum(dim=1)
        longest = max(1, int(counts.max()))
        # Visible tokens first (stable order), then cut to the longest row; the rest is padding.
        order = torch.argsort(mask.to(torch.int8), dim=1, stable=True)[:, :longest]
        gathered = torch.gather(embedded, 1, order[..., None].expand(-1, -1, embedded.shape[-1]))
        padding = torch.arange(longest, device=tokens.device)[None, :] >= counts[:, None]
        gathered = gathered.masked_fill(padding[..., None], 0.0)  # masked values never enter the encoder
        # A row with every token hidden attends to one zero vector (never put back): its prediction is the
        # decoder's from mask tokens and positions alone, the model's unconditional guess.
        attend = padding.clone()
        attend[counts == 0, 0] = False
        encoded = self.encoder_norm(self.encoder(gathered, src_key_padding_mask=attend))
        assembled = self.mask_token.expand(batch, n_tokens, -1).clone()
        rows = torch.arange(batch, device=tokens.device)[:, None].expand(-1, longest)
        keep = ~padding
        assembled[rows[keep], order[keep]] = encoded[keep]
        decoded = self.decoder(assembled + positions)
        return self.head(decoded)


def parameter_count(model: nn.Module) -> int:
    return int(sum(parameter.numel() for parameter in model.parameters()))


def reconstruct(model: MaskedAutoencoder, tokens: np.ndarray, masks: np.ndarray, batch_size: int = 1024,
                device: torch.device | str = "cpu") -> np.ndarray:  # fmt: skip
    """Predicted patch values (n, T, patch) for tokens (n, T, 2·patch) under masks (n, T), in batches."""
    model.eval()
    outputs = []
    with torch.inference_mode():
        for start in range(0, tokens.shape[0], batch_size):
            chunk = torch.from_numpy(np.ascontiguousarray(tokens[start : start + batch_size], dtype=np.float32)).to(device)
            hidden = torch.from_numpy(np.ascontiguousarray(masks[start : start + batch_size])).to(device)
            outputs.append(model(chunk, hidden).float().cpu().numpy())
    return np.concatenate(outputs) if outputs else np.zeros((0, tokens.shape[1], model.layout.patch), dtype=np.float32)
