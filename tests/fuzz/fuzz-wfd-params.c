// SPDX-License-Identifier: GPL-2.0-only
/*
 * libFuzzer target of the wfd_* parameters (mc-wfd.h): the input is a
 * text/parameters body as a sink or a source sends it.
 *
 *   - a body that parses is written back canonically; that text parses
 *     to the same parameters and writes back identically (a fixpoint);
 *   - each present parameter's value alone parses to the same value;
 *   - the negotiation over a parsed sink keeps its promises: common modes
 *     progressive and within the tables, a choice of one profile bit and
 *     one level bit no higher than the sink entry's and the source's, an
 *     M4 that reads back as the same choice;
 *   - the same bytes as a GET_PARAMETER body of names.
 *
 * Any broken promise aborts. Memory is freed on every path (LeakSanitizer).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mc-wfd.h"

#include "fuzz-check.h"

static void check_round_trip(const McWfdParams *p)
{
	g_autofree char *body = mc_wfd_params_format(p);
	g_autofree char *again = NULL;
	g_auto(McWfdParams) q = { 0 };
	g_autoptr(GError) error = NULL;

	if (!mc_wfd_params_parse(&q, body, strlen(body), &error)) {
		fprintf(stderr, "canonical body does not parse: %s\n%s", error->message, body);
		abort();
	}
	again = mc_wfd_params_format(&q);
	if (strcmp(body, again)) {
		fprintf(stderr, "not a fixpoint:\n%s---\n%s", body, again);
		abort();
	}
	CHECK(mc_wfd_params_equal(p, &q));

	for (guint i = 0; i < MC_WFD_N_PARAMS; i++) {
		g_autofree char *value = mc_wfd_param_format(p, i);
		g_autofree char *back = NULL;
		g_auto(McWfdParams) one = { 0 };

		CHECK(!value == !MC_WFD_HAS(p, i));
		if (!value)
			continue;
		CHECK(mc_wfd_param_parse(&one, i, value, NULL));
		back = mc_wfd_param_format(&one, i);
		CHECK(!strcmp(value, back));
	}
}

static void check_choice(const McWfdSourceCaps *caps, const McWfdParams *sink,
			 const McWfdChoice *c)
{
	const McWfdResolution *r = c->resolution;
	const McWfdVideoFormats *v = &sink->video_formats;
	g_auto(McWfdParams) m4 = { 0 };
	g_autofree char *body = NULL;
	McWfdChoice back;

	CHECK(r && !r->interlaced);
	CHECK(mc_wfd_resolution(r->table, r->bit) == r);
	CHECK(c->profile == MC_WFD_PROFILE_CBP || c->profile == MC_WFD_PROFILE_CHP);
	CHECK(mc_wfd_level_name(c->level));
	CHECK(c->level >= mc_wfd_resolution_min_level(r));
	CHECK(c->codec_index < v->n_codecs);
	if (!(r->table == MC_WFD_CEA && r->bit == 0 && c->level == MC_WFD_LEVEL_3_1)) {
		/* not R26's fallback: within the sink's entry and the source */
		const McWfdH264Codec *e = &v->codecs[c->codec_index];

		CHECK(e->profile & c->profile);
		CHECK(c->profile & caps->profiles);
		CHECK(c->level <= mc_wfd_level_highest(e->level));
		CHECK(c->level <= mc_wfd_level_highest(caps->max_level));
	}
	if (c->audio) {
		CHECK(MC_WFD_HAS(sink, MC_WFD_AUDIO_CODECS) && sink->audio_codecs.n_codecs);
		CHECK(c->audio_mode == mc_wfd_audio_stereo_48k(c->audio_format));
	} else {
		CHECK(!MC_WFD_HAS(sink, MC_WFD_AUDIO_CODECS) || !sink->audio_codecs.n_codecs);
	}

	mc_wfd_params_set_choice(&m4, c);
	body = mc_wfd_params_format(&m4);
	mc_wfd_params_clear(&m4);
	CHECK(mc_wfd_params_parse(&m4, body, strlen(body), NULL));
	CHECK(mc_wfd_choice_from_params(&m4, &back, NULL));
	CHECK(back.resolution == r && back.profile == c->profile && back.level == c->level);
	CHECK(back.audio == c->audio);
}

static void check_negotiation(const McWfdParams *sink)
{
	g_autoptr(GPtrArray) modes = NULL;
	McWfdSourceCaps caps;
	McWfdChoice c;

	mc_wfd_source_caps_init(&caps);
	modes = mc_wfd_common_modes(&caps, sink);
	for (guint i = 0; i < modes->len; i++) {
		const McWfdResolution *r = modes->pdata[i];

		CHECK(!r->interlaced && mc_wfd_resolution(r->table, r->bit) == r);
	}
	if (!mc_wfd_choose(&caps, sink, NULL, &c, NULL)) {
		CHECK(!MC_WFD_HAS(sink, MC_WFD_VIDEO_FORMATS) || sink->video_formats.none);
		return;
	}
	CHECK(!modes->len || c.resolution == modes->pdata[0]);
	check_choice(&caps, sink, &c);
	/* the last (worst) common mode, wanted, with the other preferences */
	if (modes->len) {
		caps.prefer_chp = TRUE;
		caps.prefer_lpcm = TRUE;
		CHECK(mc_wfd_choose(&caps, sink, modes->pdata[modes->len - 1], &c, NULL));
		CHECK(c.resolution == modes->pdata[modes->len - 1]);
		check_choice(&caps, sink, &c);
	}
	/* a source at 3.1 with CBP only */
	caps.profiles = MC_WFD_PROFILE_CBP;
	caps.max_level = MC_WFD_LEVEL_3_1;
	if (mc_wfd_choose(&caps, sink, NULL, &c, NULL))
		check_choice(&caps, sink, &c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	g_auto(McWfdParams) p = { 0 };
	g_auto(GStrv) names = NULL;
	McWfdChoice c;

	if (mc_wfd_params_parse(&p, (const char *)data, size, NULL)) {
		check_round_trip(&p);
		check_negotiation(&p);
		/* whatever an M4 it is, reading it never breaks */
		if (mc_wfd_choice_from_params(&p, &c, NULL))
			CHECK(c.resolution && !c.resolution->interlaced);
	}

	names = mc_wfd_names_parse((const char *)data, size, NULL);
	if (names) {
		g_autofree char *body = mc_wfd_names_format((const char *const *)names);
		g_auto(GStrv) again = mc_wfd_names_parse(body, strlen(body), NULL);

		CHECK(again && g_strv_equal((const char *const *)names,
					    (const char *const *)again));
	}
	return 0;
}
