namespace Kvs.WebRtc.PeerConnection.Codecs;

/// <summary>
/// The fields of an H.264 sequence parameter set (ITU-T H.264 §7.3.2.1.1) needed to report the picture size:
/// the coded size in macroblocks, frame_mbs_only_flag and the cropping window, for every profile (including the
/// High profiles' chroma format and scaling lists, which are skipped).
/// </summary>
/// <param name="ProfileIdc">profile_idc.</param>
/// <param name="ConstraintFlags">The constraint_set flags byte (profile-iop).</param>
/// <param name="LevelIdc">level_idc.</param>
/// <param name="Id">seq_parameter_set_id.</param>
/// <param name="ChromaFormatIdc">chroma_format_idc (1 = 4:2:0 when absent).</param>
/// <param name="Width">Display width in pixels (after cropping).</param>
/// <param name="Height">Display height in pixels (after cropping).</param>
internal readonly record struct H264SequenceParameterSet(
    int ProfileIdc,
    int ConstraintFlags,
    int LevelIdc,
    int Id,
    int ChromaFormatIdc,
    int Width,
    int Height)
{
    /// <summary>Parses an SPS NAL unit (header byte included, no start code).</summary>
    /// <returns>False when it is no SPS, is truncated or holds out-of-range values.</returns>
    public static bool TryParse(ReadOnlySpan<byte> nal, out H264SequenceParameterSet sps)
    {
        sps = default;
        if (nal.Length < 4 || (nal[0] & 0x1F) != (int)H264NalUnitType.Sps)
        {
            return false;
        }

        var reader = new RbspBitReader(nal[1..]);
        var profileIdc = (int)reader.ReadBits(8);
        var constraints = (int)reader.ReadBits(8);
        var levelIdc = (int)reader.ReadBits(8);
        var id = reader.ReadUnsignedExpGolomb();
        uint chromaFormatIdc = 1;
        var separateColourPlane = false;
        if (profileIdc is 100 or 110 or 122 or 244 or 44 or 83 or 86 or 118 or 128 or 138 or 139 or 134 or 135)
        {
            chromaFormatIdc = reader.ReadUnsignedExpGolomb();
            if (chromaFormatIdc > 3)
            {
                return false;
            }

            if (chromaFormatIdc == 3)
            {
                separateColourPlane = reader.ReadBit() == 1;
            }

            reader.ReadUnsignedExpGolomb(); // bit_depth_luma_minus8
            reader.ReadUnsignedExpGolomb(); // bit_depth_chroma_minus8
            reader.ReadBit(); // qpprime_y_zero_transform_bypass_flag
            if (reader.ReadBit() == 1)
            {
                var lists = chromaFormatIdc == 3 ? 12 : 8;
                for (var i = 0; i < lists && !reader.IsOverrun; i++)
                {
                    if (reader.ReadBit() == 1)
                    {
                        SkipScalingList(ref reader, i < 6 ? 16 : 64);
                    }
                }
            }
        }

        reader.ReadUnsignedExpGolomb(); // log2_max_frame_num_minus4
        var pocType = reader.ReadUnsignedExpGolomb();
        if (pocType == 0)
        {
            reader.ReadUnsignedExpGolomb(); // log2_max_pic_order_cnt_lsb_minus4
        }
        else if (pocType == 1)
        {
            reader.ReadBit(); // delta_pic_order_always_zero_flag
            reader.ReadSignedExpGolomb(); // offset_for_non_ref_pic
            reader.ReadSignedExpGolomb(); // offset_for_top_to_bottom_field
            var cycle = reader.ReadUnsignedExpGolomb();
            if (cycle > 255)
            {
                return false;
            }

            for (var i = 0; i < cycle && !reader.IsOverrun; i++)
            {
                reader.ReadSignedExpGolomb();
            }
        }
        else if (pocType != 2)
        {
            return false;
        }

        reader.ReadUnsignedExpGolomb(); // max_num_ref_frames
        reader.ReadBit(); // gaps_in_frame_num_value_allowed_flag
        var widthInMbs = reader.ReadUnsignedExpGolomb() + 1L;
        var heightInMapUnits = reader.ReadUnsignedExpGolomb() + 1L;
        var frameMbsOnly = reader.ReadBit();
        if (frameMbsOnly == 0)
        {
            reader.ReadBit(); // mb_adaptive_frame_field_flag
        }

        reader.ReadBit(); // direct_8x8_inference_flag
        long cropLeft = 0, cropRight = 0, cropTop = 0, cropBottom = 0;
        if (reader.ReadBit() == 1)
        {
            cropLeft = reader.ReadUnsignedExpGolomb();
            cropRight = reader.ReadUnsignedExpGolomb();
            cropTop = reader.ReadUnsignedExpGolomb();
            cropBottom = reader.ReadUnsignedExpGolomb();
        }

        if (reader.IsOverrun || id > 31)
        {
            return false;
        }

        // §7.4.2.1.1: CropUnitX/Y from ChromaArrayType, SubWidthC and SubHeightC (Table 6-1).
        var chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
        long cropUnitX = chromaArrayType == 0 ? 1 : chromaFormatIdc == 3 ? 1 : 2;
        long cropUnitY = (chromaArrayType == 0 ? 1 : chromaFormatIdc == 1 ? 2 : 1) * (2 - frameMbsOnly);
        var width = widthInMbs * 16 - cropUnitX * (cropLeft + cropRight);
        var height = (2 - frameMbsOnly) * heightInMapUnits * 16 - cropUnitY * (cropTop + cropBottom);
        if (width is <= 0 or > 65535 || height is <= 0 or > 65535)
        {
            return false;
        }

        sps = new H264SequenceParameterSet(profileIdc, constraints, levelIdc, (int)id, (int)chromaFormatIdc, (int)width, (int)height);
        return true;
    }

    /// <summary>Finds the first SPS in an Annex-B access unit and parses it.</summary>
    public static bool TryFind(ReadOnlySpan<byte> annexB, out H264SequenceParameterSet sps)
    {
        foreach (var nal in new AnnexBNalUnitEnumerator(annexB))
        {
            if ((nal[0] & 0x1F) == (int)H264NalUnitType.Sps)
            {
                return TryParse(nal, out sps);
            }
        }

        sps = default;
        return false;
    }

    private static void SkipScalingList(ref RbspBitReader reader, int size)
    {
        int last = 8, next = 8;
        for (var j = 0; j < size && !reader.IsOverrun; j++)
        {
            if (next != 0)
            {
                next = (last + reader.ReadSignedExpGolomb() + 256) % 256;
            }

            last = next == 0 ? last : next;
        }
    }
}
